using System.Globalization;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Smoothing;

/// <summary>Mixed-precision decomposition of outlier activation channels (after LLM.int8(), Dettmers et al., 2022):
/// the few input channels whose calibrated |x| dwarfs the rest are multiplied in float, everything else in int8, so
/// the run-time per-tensor activation scale is set by ordinary values instead of the outliers.</summary>
/// <remarks>
/// For MatMul/Gemm nodes reading X ([..., K]) with constant weights W, and outlier channels O (from calibration):
/// <c>X_main = Mul(X, mask)</c> (mask 0 on O, 1 elsewhere; shared by every consumer, so Q/K/V keep one shared
/// quantization), the node then reads X_main and a weight whose rows O are zero (it is quantized as usual), and
/// <c>Gather(X, O, axis -1) · W[O, :]</c> (a float product |O| wide) is added to its result: after the bias
/// <c>Add</c> that follows a MatMul when there is one (so ONNX Runtime still folds the bias into the fused integer
/// node), else after the node. In exact arithmetic the graph computes X · W unchanged.
/// </remarks>
internal static class OutlierDecomposition
{
    /// <summary>A channel is an outlier when its calibrated max |x| exceeds this many times the median channel's.</summary>
    public const double DefaultThreshold = 6;

    /// <summary>At most this many outlier channels per activation (the float product stays narrow).</summary>
    public const int DefaultMaxChannels = 8;

    /// <summary>The outlier channels of one activation, largest first.</summary>
    public static int[] Outliers(ReadOnlySpan<float> xMax, double threshold, int maxChannels)
    {
        if (xMax.Length < 2)
        {
            return [];
        }

        var sorted = xMax.ToArray();
        Array.Sort(sorted);
        var median = sorted[sorted.Length / 2];
        if (!(median > 0))
        {
            return [];
        }

        var limit = median * threshold;
        var candidates = new List<int>();
        for (var j = 0; j < xMax.Length; j++)
        {
            if (xMax[j] > limit)
            {
                candidates.Add(j);
            }
        }

        var values = xMax.ToArray();
        return [.. candidates.OrderByDescending(j => values[j]).Take(maxChannels)];
    }

    /// <summary>Decomposes <paramref name="nodes"/> (graph order; constant 2-D float weights) in place, queueing new
    /// nodes on <paramref name="graph"/>; returns one description per activation decomposed.</summary>
    public static IReadOnlyList<string> Apply(OnnxGraph graph, IReadOnlyList<NodeProto> nodes, IReadOnlyDictionary<string, float[]> channelMax, double threshold, int maxChannels)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(channelMax);
        var done = new List<string>();
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

            var outliers = Outliers(xMax, threshold, maxChannels);
            if (outliers.Length == 0)
            {
                continue;
            }

            var k = xMax.Length;
            var first = members[0].Node;
            var x = group.Key;
            var mask = new float[k];
            Array.Fill(mask, 1f);
            foreach (var j in outliers)
            {
                mask[j] = 0f;
            }

            var maskName = graph.UniqueName(x + "_outlier_mask");
            var main = graph.UniqueName(x + "_main");
            var indices = graph.UniqueName(x + "_outlier_channels");
            var gathered = graph.UniqueName(x + "_outliers");
            var baseName = first.Name.Length > 0 ? first.Name : first.Output[0];
            graph.AddInitializer(OnnxTensorData.FromFloats(maskName, [k], mask));
            graph.AddInitializer(OnnxTensorData.FromInt64(indices, [outliers.Length], [.. outliers.Select(j => (long)j)]));
            graph.InsertBefore(first, graph.NewNode("Mul", [x, maskName], [main], baseName + "_OutlierMask"));
            graph.InsertBefore(first, graph.NewNode("Gather", [x, indices], [gathered], baseName + "_OutlierGather").WithInt("axis", -1));

            foreach (var (node, weight) in members)
            {
                var (zeroed, outlierRows) = Split(weight, outliers);
                var n = weight.Transposed ? weight.Rows : weight.Cols;
                var mainWeight = graph.UniqueName(node.Input[1] + "_main");
                var outlierWeight = graph.UniqueName(node.Input[1] + "_outliers");
                graph.AddInitializer(OnnxTensorData.FromFloats(mainWeight, [weight.Rows, weight.Cols], zeroed));
                graph.AddInitializer(OnnxTensorData.FromFloats(outlierWeight, [outliers.Length, n], outlierRows));
                node.Input[0] = main;
                node.Input[1] = mainWeight;

                var nodeName = node.Name.Length > 0 ? node.Name : node.Output[0];
                var product = graph.UniqueName(node.Output[0] + "_outlier_product");
                var anchor = AddAfter(graph, node);
                var output = anchor.Output[0];
                var partial = graph.UniqueName(output + "_without_outliers");
                anchor.Output[0] = partial;
                var alpha = node.OpType == "Gemm" ? OnnxAttributes.GetFloat(node, "alpha", 1f) : 1f;
                var extra = new List<NodeProto> { graph.NewNode("MatMul", [gathered, outlierWeight], [product], nodeName + "_OutlierMatMul") };
                var addend = product;
                if (alpha != 1f)
                {
                    var alphaName = graph.UniqueName(nodeName + "_outlier_alpha");
                    addend = graph.UniqueName(product + "_alpha");
                    graph.AddInitializer(OnnxTensorData.FromFloats(alphaName, [], [alpha]));
                    extra.Add(graph.NewNode("Mul", [product, alphaName], [addend], nodeName + "_OutlierAlpha"));
                }

                extra.Add(graph.NewNode("Add", [partial, addend], [output], nodeName + "_OutlierAdd"));
                foreach (var added in extra)
                {
                    graph.InsertAfter(anchor, added);
                }
            }

            done.Add(string.Create(CultureInfo.InvariantCulture, $"{x}: channel(s) {string.Join(" ", outliers)}"));
        }

        return done;
    }

    /// <summary>The bias Add right after a MatMul (its only consumer, adding a constant 1-D tensor), else the node.</summary>
    private static NodeProto AddAfter(OnnxGraph graph, NodeProto node)
    {
        if (node.OpType == "MatMul" && !graph.IsGraphOutput(node.Output[0])
            && graph.Consumers(node.Output[0]) is [{ OpType: "Add" } add] && OnnxGraph.IsDefaultDomain(add) && add.Input.Count == 2
            && add.Input.Count(i => i == node.Output[0]) == 1
            && graph.TryGetConstant(add.Input[0] == node.Output[0] ? add.Input[1] : add.Input[0], out var bias) && bias.Dims.Count == 1)
        {
            return add;
        }

        return node;
    }

    /// <summary>The weight with the outlier input rows zeroed, and those rows as an [|O|, N] matrix.</summary>
    private static (float[] Zeroed, float[] Rows) Split((float[] Values, int Rows, int Cols, bool Transposed, int K) weight, int[] outliers)
    {
        var zeroed = (float[])weight.Values.Clone();
        var n = weight.Transposed ? weight.Rows : weight.Cols;
        var rows = new float[outliers.Length * n];
        for (var o = 0; o < outliers.Length; o++)
        {
            var j = outliers[o];
            for (var c = 0; c < n; c++)
            {
                var i = weight.Transposed ? (c * weight.Cols) + j : (j * weight.Cols) + c;
                rows[(o * n) + c] = weight.Values[i];
                zeroed[i] = 0f;
            }
        }

        return (zeroed, rows);
    }

    private static (float[] Values, int Rows, int Cols, bool Transposed, int K) Weight(OnnxGraph graph, NodeProto node)
    {
        graph.TryGetConstant(node.Input[1], out var tensor);
        var transposed = node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transB", 0) != 0;
        var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        return (OnnxTensorData.ToFloats(tensor), rows, cols, transposed, transposed ? cols : rows);
    }
}
