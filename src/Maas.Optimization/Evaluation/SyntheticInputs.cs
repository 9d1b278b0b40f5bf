using Maas.Core.Tensors;

namespace Maas.Optimization.Evaluation;

/// <summary>Inputs made for a tensor model's signature when neither the version nor the job gives any.</summary>
/// <remarks>
/// Random values of the declared type and shape (symbolic batch → 1, other symbolic dimensions → <see cref="SymbolicSize"/>).
/// Image-like inputs (FP32/FP16 <c>[N, 3, H, W]</c>) get smooth synthetic pictures instead of noise: gradients,
/// waves and blobs over 0–255 pixel values with the Caffe channel means subtracted (the form ResNet18 as shipped
/// takes), since calibrating activation ranges on white noise misleads. Seeded: the same signature gives the same inputs.
/// </remarks>
internal static class SyntheticInputs
{
    public const int SymbolicSize = 16;
    public const int ImageSize = 224;

    public static List<IReadOnlyList<Tensor>> Create(IReadOnlyList<TensorSpec> inputs, int count, int seed = 12345)
    {
        var random = new Random(seed);
        var samples = new List<IReadOnlyList<Tensor>>(count);
        for (var s = 0; s < count; s++)
        {
            var feeds = new List<Tensor>(inputs.Count);
            foreach (var spec in inputs)
            {
                feeds.Add(IsImageLike(spec) ? Image(spec, random, s) : Noise(spec, random));
            }

            samples.Add(feeds);
        }

        return samples;
    }

    public static bool IsImageLike(TensorSpec spec) =>
        spec.DataType is TensorDataType.Fp32 or TensorDataType.Fp16
        && spec.Shape.Count == 4
        && spec.Shape[1] is 3 or 1;

    public static long[] ConcreteShape(TensorSpec spec)
    {
        var image = IsImageLike(spec);
        var shape = new long[spec.Shape.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = spec.Shape[i] >= 0 ? spec.Shape[i] : i == 0 ? 1 : image ? ImageSize : SymbolicSize;
        }

        return shape;
    }

    private static Tensor Noise(TensorSpec spec, Random random)
    {
        var shape = ConcreteShape(spec);
        var count = Tensor.CountElements(shape);
        var values = new double[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = spec.DataType switch
            {
                TensorDataType.Fp32 or TensorDataType.Fp64 or TensorDataType.Fp16 => Gaussian(random),
                TensorDataType.Bool => random.Next(2),
                TensorDataType.Int8 => random.Next(-64, 64),

                // Small non-negative integers: valid ids, indices and counts for most models that take integers.
                _ => random.Next(0, 100),
            };
        }

        return TensorValues.Create(spec.Name, spec.DataType, shape, i => values[i]);
    }

    private static Tensor Image(TensorSpec spec, Random random, int sample)
    {
        // The same synthetic pictures the static-int8 bench calibrates and evaluates ResNet18 with (gradients, blobs,
        // stripes and value noise at several scales, Caffe-style values); one seed per row drawn from this set's random.
        var shape = ConcreteShape(spec);
        int channels = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        var plane = height * width;
        var values = new float[Tensor.CountElements(shape)];
        for (var n = 0; n < shape[0]; n++)
        {
            var image = Quantization.Static.SyntheticImages.Create(random.Next() ^ sample, height, width, Quantization.Static.SyntheticImages.CaffeBgrMeans);
            var target = values.AsSpan((int)(n * channels * plane), channels * plane);
            if (channels == 3)
            {
                image.CopyTo(target);
            }
            else
            {
                image.AsSpan(plane, plane).CopyTo(target);
            }
        }

        return TensorValues.Create(spec.Name, spec.DataType, shape, i => values[i]);
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
