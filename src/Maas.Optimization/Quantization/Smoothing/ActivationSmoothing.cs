using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Smoothing;

/// <summary>SmoothQuant-style per-channel scaling (Xiao et al., 2022, "SmoothQuant: Accurate and Efficient
/// Post-Training Quantization for Large Language Models"): moves the spread of an activation's outlier channels into
/// the weight that reads it, so a per-tensor activation scale wastes less of its 8 bits.</summary>
/// <remarks>
/// For MatMul/Gemm nodes reading activation X ([..., K]) with constant weights W ([K, N], or [N, K] for a Gemm with
/// transB), each input channel j gets s_j = max|X_j|^α / max|W_j|^(1-α), where max|X_j| comes from calibration and
/// max|W_j| is taken over every weight that reads X. The graph then computes (X · diag(1/s)) · (diag(s) · W), which
/// equals X · W in exact arithmetic: a <c>Mul</c> by the constant 1/s is inserted once after X (shared by every
/// consumer in the group, so Q/K/V keep one shared quantization) and the rows of each weight are scaled by s (written
/// as new initializers; the originals are dropped at commit when nothing else reads them). The <c>Mul</c> is a cheap
/// elementwise pass over X compared with the product it feeds.
/// </remarks>
internal static class ActivationSmoothing
{
    public const double DefaultAlpha = 0.6;

    /// <summary>s is kept within [1/MaxScale, MaxScale], so a channel that calibration never saw move (|x| ≈ 0) is not
    /// blown up by a huge 1/s.</summary>
    public const float MaxScale = 1e4f;

    /// <summary>Scales <paramref name="nodes"/> (graph order; constant 2-D float weights) in place, queueing the
    /// <c>Mul</c> nodes on <paramref name="graph"/>; returns the activations smoothed. Nodes whose activation has no
    /// statistics, or statistics of another width than their weight's K, are left alone.</summary>
    public static IReadOnlyList<string> Apply(OnnxGraph graph, IReadOnlyList<NodeProto> nodes, IReadOnlyDictionary<string, float[]> channelMax, double alpha)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(channelMax);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alpha, 1);
        var smoothed = new List<string>();
        foreach (var group in nodes.GroupBy(n => n.Input[0], StringComparer.Ordinal))
        {
            if (!channelMax.TryGetValue(group.Key, out var xMax))
            {
                continue;
            }

            var members = group.Select(n => (Node: n, Weight: Weight(graph, n))).ToList();
            if (members.Any(m => m.Weight.K != xMax.Length))
            {
                continue;
            }

            var k = xMax.Length;
            var wMax = new float[k];
            foreach (var (_, weight) in members)
            {
                for (var r = 0; r < weight.Rows; r++)
                {
                    for (var c = 0; c < weight.Cols; c++)
                    {
                        ref var m = ref wMax[weight.Transposed ? c : r];
                        m = MathF.Max(m, MathF.Abs(weight.Values[(r * weight.Cols) + c]));
                    }
                }
            }

            var scales = Scales(xMax, wMax, alpha);
            var inverse = Array.ConvertAll(scales, s => 1f / s);
            var first = members[0].Node;
            var baseName = first.Name.Length > 0 ? first.Name : first.Output[0];
            var inverseName = graph.UniqueName(group.Key + "_smooth_scale");
            var output = graph.UniqueName(group.Key + "_smoothed");
            graph.AddInitializer(OnnxTensorData.FromFloats(inverseName, [k], inverse));
            graph.InsertBefore(first, graph.NewNode("Mul", [group.Key, inverseName], [output], baseName + "_Smooth"));
            foreach (var (node, weight) in members)
            {
                var scaled = new float[weight.Values.Length];
                for (var r = 0; r < weight.Rows; r++)
                {
                    for (var c = 0; c < weight.Cols; c++)
                    {
                        var i = (r * weight.Cols) + c;
                        scaled[i] = weight.Values[i] * scales[weight.Transposed ? c : r];
                    }
                }

                var name = graph.UniqueName(node.Input[1] + "_smoothed");
                graph.AddInitializer(OnnxTensorData.FromFloats(name, [weight.Rows, weight.Cols], scaled));
                node.Input[0] = output;
                node.Input[1] = name;
            }

            smoothed.Add(group.Key);
        }

        return smoothed;
    }

    /// <summary>s_j = max|X_j|^α / max|W_j|^(1-α), 1 where either maximum is 0, clamped to [1/MaxScale, MaxScale].</summary>
    public static float[] Scales(ReadOnlySpan<float> xMax, ReadOnlySpan<float> wMax, double alpha)
    {
        var scales = new float[xMax.Length];
        for (var j = 0; j < scales.Length; j++)
        {
            scales[j] = xMax[j] > 0 && wMax[j] > 0
                ? Math.Clamp((float)(Math.Pow(xMax[j], alpha) / Math.Pow(wMax[j], 1 - alpha)), 1f / MaxScale, MaxScale)
                : 1f;
        }

        return scales;
    }

    private static (float[] Values, int Rows, int Cols, bool Transposed, int K) Weight(OnnxGraph graph, NodeProto node)
    {
        graph.TryGetConstant(node.Input[1], out var tensor);
        var transposed = node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transB", 0) != 0;
        var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        return (OnnxTensorData.ToFloats(tensor), rows, cols, transposed, transposed ? cols : rows);
    }
}
