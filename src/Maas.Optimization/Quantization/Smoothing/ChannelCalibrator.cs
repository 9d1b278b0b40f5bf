using Google.Protobuf;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Smoothing;

/// <summary>Runs calibration feeds through a copy of a model whose outputs include the activations to measure and
/// keeps, per activation, the largest |x| of each channel (the last axis) over every run.</summary>
internal static class ChannelCalibrator
{
    public static async Task<Dictionary<string, float[]>> CollectAsync(
        ModelProto model,
        IReadOnlyList<string> activations,
        IReadOnlyList<IReadOnlyList<Tensor>> feeds,
        Func<string, CancellationToken, Task<ITensorModel>> loader,
        Action<double, string> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(loader);
        if (feeds.Count == 0)
        {
            throw MaasException.InvalidArgument("Activation smoothing needs calibration inputs (model-level feeds): none were given with the job or stored with the version.");
        }

        var augmented = model.Clone();
        var existing = augmented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in activations.Where(n => !existing.Contains(n)))
        {
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var folder = Path.Combine(Path.GetTempPath(), "maas-smoothing-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "calibration.onnx");
            await using (var stream = File.Create(path))
            {
                augmented.WriteTo(stream);
            }

            var calibrationModel = await loader(path, cancellationToken).ConfigureAwait(false);
            await using (calibrationModel.ConfigureAwait(false))
            {
                for (var f = 0; f < feeds.Count; f++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var run = await calibrationModel.RunAsync(feeds[f], activations, cancellationToken).ConfigureAwait(false);
                    foreach (var output in run.Outputs)
                    {
                        Add(result, output);
                    }

                    progress((f + 1) / (double)feeds.Count, "calibration: channel ranges");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return result;
    }

    /// <summary>Folds the |x| maxima of <paramref name="tensor"/> per channel (last axis) into <paramref name="result"/>.</summary>
    public static void Add(Dictionary<string, float[]> result, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != TensorDataType.Fp32 || tensor.Shape.Length == 0)
        {
            throw MaasException.InvalidArgument($"Activation '{tensor.Name}' is not an FP32 tensor with a channel axis; smoothing measures float activations only.");
        }

        var channels = (int)tensor.Shape[^1];
        if (!result.TryGetValue(tensor.Name, out var max))
        {
            result[tensor.Name] = max = new float[channels];
        }
        else if (max.Length != channels)
        {
            throw MaasException.InvalidArgument($"Activation '{tensor.Name}' had {max.Length} channels in one calibration run and {channels} in another.");
        }

        var values = tensor.AsSpan<float>();
        for (var offset = 0; offset + channels <= values.Length; offset += channels)
        {
            var row = values.Slice(offset, channels);
            for (var c = 0; c < channels; c++)
            {
                var v = MathF.Abs(row[c]);
                if (v > max[c] && float.IsFinite(v))
                {
                    max[c] = v;
                }
            }
        }
    }
}
