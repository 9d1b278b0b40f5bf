using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Serving.Batching;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>Runs the tokenised texts of several embedding requests as one encoder call: pads them to the longest text
/// with the attention mask set, pools, and splits the vectors back per request.</summary>
/// <remarks>Mean pooling over the mask makes a text's vector independent of the padding around it, so a text gets the
/// same vector in a batch as alone (up to float rounding).</remarks>
internal sealed class EmbeddingBatchExecutor(
    ITensorModel model,
    WordPieceEncoder encoder,
    string tokenOutput,
    bool normalize,
    int dimensions) : IBatchExecutor<long[][], EmbeddingResult>
{
    public int Rows(long[][] request) => request.Length;

    public bool CanJoin(long[][] head, long[][] candidate) => true;

    public async ValueTask<IReadOnlyList<EmbeddingResult>> RunAsync(IReadOnlyList<long[][]> batch, CancellationToken cancellationToken)
    {
        var rows = batch.Count == 1 ? batch[0] : batch.SelectMany(r => r).ToArray();
        var encoded = encoder.Pad(rows);
        long[] shape = [encoded.BatchSize, encoded.SequenceLength];
        var inputs = new List<Tensor>(model.Inputs.Count);
        foreach (var spec in model.Inputs)
        {
            var data = spec.Name switch
            {
                "input_ids" => encoded.InputIds,
                "attention_mask" => encoded.AttentionMask,
                _ => encoded.TokenTypeIds,
            };
            inputs.Add(Tensor.Create(spec.Name, shape, data));
        }

        ComputePhases.InputDone();
        using var result = await model.RunAsync(inputs, [tokenOutput], cancellationToken).ConfigureAwait(false);
        ComputePhases.InferDone();
        var tokens = result.Outputs[0];
        if (tokens.Shape.Length != 3 || tokens.Shape[2] != dimensions || tokens.Shape[0] != encoded.BatchSize || tokens.Shape[1] != encoded.SequenceLength)
        {
            throw new MaasException(MaasErrorKind.Internal, $"The encoder returned shape [{string.Join(", ", tokens.Shape)}], not [{encoded.BatchSize}, {encoded.SequenceLength}, {dimensions}].");
        }

        using var pooled = Tensor.Rent<float>(EmbeddingPipeline.EmbeddingOutput, [encoded.BatchSize, dimensions]);
        var vectors = pooled.AsSpan<float>();
        Pooling.MeanPool(tokens.AsSpan<float>(), encoded.AttentionMask, encoded.BatchSize, encoded.SequenceLength, dimensions, vectors);
        if (normalize)
        {
            Pooling.L2Normalize(vectors, encoded.BatchSize, dimensions);
        }

        var results = new EmbeddingResult[batch.Count];
        var offset = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var count = batch[i].Length;
            var tokenCount = 0;
            foreach (var row in batch[i])
            {
                tokenCount += row.Length;
            }

            results[i] = new EmbeddingResult(vectors.Slice(offset * dimensions, count * dimensions).ToArray(), count, dimensions, tokenCount);
            offset += count;
        }

        return results;
    }
}
