namespace Maas.Serving.Processing;

/// <summary>Sentence-embedding post-processing: mean pooling over the attention mask and L2 normalisation.</summary>
internal static class Pooling
{
    /// <summary>Averages token vectors <c>[batch, sequence, dims]</c> where the mask is 1, into <c>[batch, dims]</c>.</summary>
    public static void MeanPool(ReadOnlySpan<float> tokens, ReadOnlySpan<long> mask, int batch, int sequence, int dims, Span<float> destination)
    {
        destination[..(batch * dims)].Clear();
        for (var b = 0; b < batch; b++)
        {
            var row = destination.Slice(b * dims, dims);
            var counted = 0;
            for (var s = 0; s < sequence; s++)
            {
                if (mask[(b * sequence) + s] == 0)
                {
                    continue;
                }

                counted++;
                var vector = tokens.Slice(((b * sequence) + s) * dims, dims);
                System.Numerics.Tensors.TensorPrimitives.Add(row, vector, row);
            }

            // Sentence-transformers clamps the divisor at a tiny epsilon; with at least [CLS] and [SEP] it is ≥ 2 anyway.
            System.Numerics.Tensors.TensorPrimitives.Divide(row, Math.Max(counted, 1e-9f), row);
        }
    }

    /// <summary>Scales each row of <c>[batch, dims]</c> to unit length (rows of zeros stay zero).</summary>
    public static void L2Normalize(Span<float> vectors, int batch, int dims)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = vectors.Slice(b * dims, dims);
            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, Math.Max(norm, 1e-12f), row);
        }
    }
}
