using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.Optimization.Quantization.Int4;

/// <summary>Weight-only int4: each MatMul with a constant 2-D float weight becomes <c>com.microsoft.MatMulNBits</c>
/// (bits 4, block-wise scales; see <see cref="Int4Blocks"/> for the layout). Activations stay float.</summary>
internal static class Int4Quantizer
{
    public static IReadOnlyList<string> Apply(ModelProto model, Int4Options options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new OnnxGraph(model);
        var candidates = graph.Graph.Node.Where(n => IsCandidate(graph, n, options)).ToList();
        if (candidates.Count == 0)
        {
            throw MaasException.InvalidArgument(
                $"Nothing to quantize with '{Int4Options.Method}': no MatMul with a constant 2-D float weight" + (options.Exclude.Count > 0 ? " outside the excluded nodes." : "."));
        }

        var packed = new Dictionary<string, (string B, string Scales, string? ZeroPoints, long K, long N)>(StringComparer.Ordinal);
        foreach (var node in candidates)
        {
            if (!packed.TryGetValue(node.Input[1], out var weight))
            {
                weight = Pack(graph, node.Input[1], options);
                packed[node.Input[1]] = weight;
            }

            var inputs = new List<string> { node.Input[0], weight.B, weight.Scales };
            if (weight.ZeroPoints is not null)
            {
                inputs.Add(weight.ZeroPoints);
            }

            var replacement = graph.NewNode("MatMulNBits", inputs, [node.Output[0]], (node.Name.Length > 0 ? node.Name : node.Output[0]) + "_MatMulNBits", OnnxOpsets.MicrosoftDomain)
                .WithInt("K", weight.K)
                .WithInt("N", weight.N)
                .WithInt("bits", 4)
                .WithInt("block_size", options.BlockSize);
            if (options.AccuracyLevel > 0)
            {
                replacement.WithInt("accuracy_level", options.AccuracyLevel);
            }

            graph.Replace(node, replacement);
        }

        OnnxOpsets.Ensure(model, OnnxOpsets.MicrosoftDomain, 1);
        graph.Commit();
        return
        [
            $"Quantized {candidates.Count} MatMul node(s) to 4-bit weights ({(options.Symmetric ? "symmetric" : "asymmetric")}, block size {options.BlockSize}) as com.microsoft.MatMulNBits; activations stay float.",
        ];
    }

    private static bool IsCandidate(OnnxGraph graph, NodeProto node, Int4Options options) =>
        node.OpType == "MatMul"
        && OnnxGraph.IsDefaultDomain(node)
        && !options.Exclude.Contains(node.Name, StringComparer.Ordinal)
        && node.Input.Count == 2
        && graph.ElementType(node.Input[0]) is 0 or (int)DataType.Float
        && graph.TryGetConstant(node.Input[1], out var weight)
        && weight.DataType == (int)DataType.Float
        && weight.Dims.Count == 2;

    private static (string B, string Scales, string? ZeroPoints, long K, long N) Pack(OnnxGraph graph, string name, Int4Options options)
    {
        graph.TryGetConstant(name, out var tensor);
        var (k, n) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        var blocks = Int4Blocks.Quantize(OnnxTensorData.ToFloats(tensor), k, n, options.BlockSize, options.Symmetric);
        var b = graph.UniqueName(name + "_int4");
        var scales = graph.UniqueName(name + "_scales");
        graph.AddInitializer(OnnxTensorData.FromUInt8(b, [n, blocks.BlocksPerColumn, blocks.BlobSize], blocks.Data));
        graph.AddInitializer(OnnxTensorData.FromFloats(scales, [n, blocks.BlocksPerColumn], blocks.Scales));
        string? zeroPoints = null;
        if (blocks.ZeroPoints is not null)
        {
            zeroPoints = graph.UniqueName(name + "_zero_points");
            graph.AddInitializer(OnnxTensorData.FromUInt8(zeroPoints, [n, (blocks.BlocksPerColumn + 1) / 2], blocks.ZeroPoints));
        }

        return (b, scales, zeroPoints, k, n);
    }
}
