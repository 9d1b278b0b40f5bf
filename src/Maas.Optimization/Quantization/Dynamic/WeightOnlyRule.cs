using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary>Which MatMul/Gemm nodes <c>dynamic-int8</c> keeps weight-only by default (<c>"weight_only": "auto"</c>).</summary>
/// <remarks>
/// A node is picked when (1) its constant 2-D weight reduces at least twice as many inputs as it produces
/// (K ≥ 2·N: a feed-forward down-projection such as BERT's <c>output.dense</c>, 1536 → 384) and (2) its input comes
/// straight from an activation: <c>Relu</c>, <c>LeakyRelu</c>, <c>Gelu</c>, <c>FastGelu</c>, <c>BiasGelu</c>,
/// <c>QuickGelu</c>, or a <c>Mul</c> that ends an exported GELU (an <c>Erf</c> or <c>Tanh</c> within
/// <see cref="GeluDepth"/> Mul/Add/Div/Pow steps upstream). The input of such a node is the widest, most skewed
/// activation of the network (GELU's long positive tail over 4× the hidden width); quantizing it to uint8 per tensor
/// at run time is where dynamic int8 loses most accuracy, while its weight quantizes well.
/// </remarks>
internal static class WeightOnlyRule
{
    /// <summary>How many arithmetic nodes above the final Mul of a GELU are searched for its Erf/Tanh.</summary>
    public const int GeluDepth = 4;

    private static readonly string[] Activations = ["Relu", "LeakyRelu", "Gelu", "FastGelu", "BiasGelu", "QuickGelu"];
    private static readonly string[] GeluArithmetic = ["Mul", "Add", "Div", "Pow"];

    /// <summary>True when <paramref name="node"/> (a MatMul or Gemm with a constant 2-D weight) matches the rule.</summary>
    public static bool Matches(OnnxGraph graph, NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(node);
        if (node.Input.Count < 2 || !graph.TryGetConstant(node.Input[1], out var weight) || weight.Dims.Count != 2)
        {
            return false;
        }

        var transposed = node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transB", 0) != 0;
        var (k, n) = transposed ? (weight.Dims[1], weight.Dims[0]) : (weight.Dims[0], weight.Dims[1]);
        return k >= 2 * n && IsActivation(graph, graph.Producer(node.Input[0]));
    }

    private static bool IsActivation(OnnxGraph graph, NodeProto? producer)
    {
        if (producer is null)
        {
            return false;
        }

        if (Activations.Contains(producer.OpType, StringComparer.Ordinal))
        {
            return true;
        }

        return producer.OpType == "Mul" && OnnxGraph.IsDefaultDomain(producer) && HasGeluCore(graph, producer, GeluDepth);
    }

    private static bool HasGeluCore(OnnxGraph graph, NodeProto node, int depth)
    {
        foreach (var input in node.Input)
        {
            if (graph.Producer(input) is not { } producer || !OnnxGraph.IsDefaultDomain(producer))
            {
                continue;
            }

            if (producer.OpType is "Erf" or "Tanh")
            {
                return true;
            }

            if (depth > 1 && GeluArithmetic.Contains(producer.OpType, StringComparer.Ordinal) && HasGeluCore(graph, producer, depth - 1))
            {
                return true;
            }
        }

        return false;
    }
}
