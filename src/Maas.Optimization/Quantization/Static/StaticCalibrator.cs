using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Runs the calibration feeds through a model whose outputs include the activations to measure and streams
/// their statistics: min/max on a first pass, |x| histograms on a second when the method needs them. No activation
/// outlives its run.</summary>
internal static class StaticCalibrator
{
    /// <summary>Checks every feed against the graph's inputs (names, element types, ranks, fixed dimensions).</summary>
    /// <exception cref="MaasException">InvalidArgument naming the feed and the input that does not fit.</exception>
    public static void Validate(GraphProto graph, IReadOnlyList<IReadOnlyList<Tensor>>? feeds)
    {
        if (feeds is null || feeds.Count == 0)
        {
            throw MaasException.InvalidArgument("static-int8 needs calibration inputs (model-level feeds): none were given with the job or stored with the version.");
        }

        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        for (var f = 0; f < feeds.Count; f++)
        {
            var feed = feeds[f];
            foreach (var input in inputs)
            {
                var tensor = feed.FirstOrDefault(t => t.Name == input.Name)
                    ?? throw MaasException.InvalidArgument($"Calibration input {f + 1} lacks the model input '{input.Name}'.");
                var expectedType = OnnxType(tensor.DataType);
                if (QdqNodes.ElementType(input) is var declared and not 0 && declared != expectedType)
                {
                    throw MaasException.InvalidArgument($"Calibration input {f + 1}: '{input.Name}' is {tensor.DataType.ToProtocolName()}, but the model expects ONNX element type {(TensorProto.Types.DataType)declared}.");
                }

                var dims = input.Type?.TensorType?.Shape?.Dim;
                if (dims is null)
                {
                    continue;
                }

                var expected = string.Join(", ", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam is { Length: > 0 } p ? p : "?"));
                var fits = dims.Count == tensor.Shape.Length
                    && dims.Select((d, i) => !d.HasDimValue || d.DimValue == tensor.Shape[i]).All(ok => ok);
                if (!fits)
                {
                    throw MaasException.InvalidArgument($"Calibration input {f + 1}: '{input.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the model expects [{expected}].");
                }
            }

            foreach (var extra in feed.Where(t => inputs.All(i => i.Name != t.Name)))
            {
                throw MaasException.InvalidArgument($"Calibration input {f + 1} has '{extra.Name}', which is not a model input ({string.Join(", ", inputs.Select(i => i.Name))}).");
            }
        }
    }

    public static async Task<Dictionary<string, TensorStatistics>> CollectAsync(
        ITensorModel model,
        IReadOnlyList<IReadOnlyList<Tensor>> feeds,
        IReadOnlyList<string> tensors,
        bool histograms,
        Action<double, string> progress,
        CancellationToken cancellationToken)
    {
        var stats = tensors.ToDictionary(t => t, _ => new TensorStatistics(), StringComparer.Ordinal);
        var feedNames = feeds[0].Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = tensors.Where(t => !feedNames.Contains(t)).ToList();
        var passes = histograms ? 2 : 1;
        for (var pass = 0; pass < passes; pass++)
        {
            for (var f = 0; f < feeds.Count; f++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var feed = feeds[f];
                foreach (var input in feed.Where(t => stats.ContainsKey(t.Name)))
                {
                    Add(stats[input.Name], input, pass);
                }

                using var result = await model.RunAsync(feed, outputs, cancellationToken).ConfigureAwait(false);
                foreach (var output in result.Outputs)
                {
                    if (stats.TryGetValue(output.Name, out var s))
                    {
                        Add(s, output, pass);
                    }
                }

                progress((pass * feeds.Count + f + 1) / (double)(passes * feeds.Count), pass == 0 ? "calibration: ranges" : "calibration: histograms");
            }
        }

        return stats;
    }

    private static void Add(TensorStatistics stats, Tensor tensor, int pass)
    {
        if (tensor.DataType != TensorDataType.Fp32)
        {
            throw MaasException.InvalidArgument($"Activation '{tensor.Name}' is {tensor.DataType.ToProtocolName()}, not FP32; static-int8 quantizes float activations only.");
        }

        if (pass == 0)
        {
            stats.AddRange(tensor.AsSpan<float>());
        }
        else
        {
            stats.AddHistogram(tensor.AsSpan<float>());
        }
    }

    private static int OnnxType(TensorDataType type) => (int)(type switch
    {
        TensorDataType.Fp32 => TensorProto.Types.DataType.Float,
        TensorDataType.Fp16 => TensorProto.Types.DataType.Float16,
        TensorDataType.Fp64 => TensorProto.Types.DataType.Double,
        TensorDataType.Int8 => TensorProto.Types.DataType.Int8,
        TensorDataType.UInt8 => TensorProto.Types.DataType.Uint8,
        TensorDataType.Int16 => TensorProto.Types.DataType.Int16,
        TensorDataType.UInt16 => TensorProto.Types.DataType.Uint16,
        TensorDataType.Int32 => TensorProto.Types.DataType.Int32,
        TensorDataType.UInt32 => TensorProto.Types.DataType.Uint32,
        TensorDataType.Int64 => TensorProto.Types.DataType.Int64,
        TensorDataType.UInt64 => TensorProto.Types.DataType.Uint64,
        TensorDataType.Bool => TensorProto.Types.DataType.Bool,
        TensorDataType.Bytes => TensorProto.Types.DataType.String,
        _ => TensorProto.Types.DataType.Undefined,
    });
}
