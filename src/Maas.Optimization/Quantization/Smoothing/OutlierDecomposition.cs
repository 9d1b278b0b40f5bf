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

        // Inputs and weights as they were before any group was rewritten (a producer found upstream may have been).
        var original = new Dictionary<NodeProto, (string Input, string Weight)>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes)
        {
            original[node] = (node.Input[0], node.Input[1]);
        }

        // Per decomposed node, the float MatMul of its outlier rows (its output columns may be split off later).
        var outlierProducts = new Dictionary<NodeProto, NodeProto>(ReferenceEqualityComparer.Instance);
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

            var baseName = first.Name.Length > 0 ? first.Name : first.Output[0];
            var main = x;
            var gathered = members.Count == 1 ? UpstreamSplit(graph, x, first, outliers, original, outlierProducts) : null;
            if (gathered is null)
            {
                var maskName = graph.UniqueName(x + "_outlier_mask");
                var indices = graph.UniqueName(x + "_outlier_channels");
                main = graph.UniqueName(x + "_main");
                gathered = graph.UniqueName(x + "_outliers");
                graph.AddInitializer(OnnxTensorData.FromFloats(maskName, [k], mask));
                graph.AddInitializer(OnnxTensorData.FromInt64(indices, [outliers.Length], [.. outliers.Select(j => (long)j)]));
                graph.InsertBefore(first, graph.NewNode("Mul", [x, maskName], [main], baseName + "_OutlierMask"));
                graph.InsertBefore(first, graph.NewNode("Gather", [x, indices], [gathered], baseName + "_OutlierGather").WithInt("axis", -1));
            }

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
                var outlierMatMul = graph.NewNode("MatMul", [gathered, outlierWeight], [product], nodeName + "_OutlierMatMul");
                outlierProducts[node] = outlierMatMul;
                var extra = new List<NodeProto> { outlierMatMul };
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

            done.Add(string.Create(CultureInfo.InvariantCulture, $"{x}: channel(s) {string.Join(" ", outliers)}{(main == x ? " (split at the producing MatMul)" : "")}"));
        }

        return done;
    }

    /// <summary>Elementwise operators an activation function is built from (an exported GELU: Div, Erf, Add, Mul, Mul).</summary>
    private static readonly string[] ChainOps = ["Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sigmoid", "Relu", "LeakyRelu", "Gelu", "Sqrt", "Neg"];

    /// <summary>When X (read only by <paramref name="consumer"/>) is an elementwise chain f over <c>MatMul(H, U) (+ b)</c>
    /// (U constant, every intermediate read only inside the chain, other operands scalar constants), the outlier
    /// channels O are taken out upstream instead of masking X: U's columns O (and b's entries O) become zero, so X
    /// carries f(0) there, which the zeroed rows of the consumer's weight ignore, and f(H · U[:, O] + b[O]) is computed
    /// |O| wide by copies of the chain's nodes. This saves a full elementwise pass over the (wide) X.</summary>
    /// <returns>The name of the |O|-wide activation, or null when X is not such a chain.</returns>
    private static string? UpstreamSplit(
        OnnxGraph graph,
        string x,
        NodeProto consumer,
        int[] outliers,
        Dictionary<NodeProto, (string Input, string Weight)> original,
        Dictionary<NodeProto, NodeProto> outlierProducts)
    {
        if (graph.IsGraphOutput(x) || graph.Consumers(x).Count != 1 || graph.Producer(x) is not { } last)
        {
            return null;
        }

        // Walk up from X through chain nodes to one root value: the MatMul's output or its bias Add's.
        var chain = new List<NodeProto>();
        string? root = null;
        var pending = new Stack<NodeProto>([last]);
        var seen = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            if (!OnnxGraph.IsDefaultDomain(node) || !ChainOps.Contains(node.OpType, StringComparer.Ordinal) || node.Output.Count != 1)
            {
                return null;
            }

            chain.Add(node);
            foreach (var input in node.Input)
            {
                if (graph.TryGetConstant(input, out var constant))
                {
                    if (OnnxTensorData.ElementCount(constant) != 1)
                    {
                        return null;
                    }

                    continue;
                }

                if (graph.Producer(input) is not { } producer)
                {
                    return null;
                }

                if (IsRoot(graph, producer))
                {
                    if (root is not null && root != input)
                    {
                        return null;
                    }

                    root = input;
                }
                else
                {
                    pending.Push(producer);
                }
            }
        }

        if (root is null || graph.IsGraphOutput(root) || graph.Consumers(root).Any(c => !seen.Contains(c))
            || chain.Any(n => n.Output[0] != x && (graph.IsGraphOutput(n.Output[0]) || graph.Consumers(n.Output[0]).Any(c => !seen.Contains(c)))))
        {
            return null;
        }

        var rootNode = graph.Producer(root)!;
        var (matMul, biasAdd) = rootNode.OpType == "MatMul" ? (rootNode, (NodeProto?)null) : (graph.Producer(BiasInputs(graph, rootNode).Product)!, rootNode);
        var (h, weightName) = original.TryGetValue(matMul, out var o) ? o : (matMul.Input[0], matMul.Input[1]);
        graph.TryGetConstant(weightName, out var weightTensor);
        var weight = OnnxTensorData.ToFloats(weightTensor);
        var (rows, cols) = ((int)weightTensor.Dims[0], (int)weightTensor.Dims[1]);
        if (outliers.Any(j => j >= cols))
        {
            return null;
        }

        // The |O| columns, from the weight as it was (the current one may have rows zeroed by its own decomposition).
        var columns = new float[rows * outliers.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < outliers.Length; i++)
            {
                columns[(r * outliers.Length) + i] = weight[(r * cols) + outliers[i]];
            }
        }

        graph.TryGetConstant(matMul.Input[1], out var currentTensor);
        var current = OnnxTensorData.ToFloats(currentTensor);
        foreach (var j in outliers)
        {
            for (var r = 0; r < rows; r++)
            {
                current[(r * cols) + j] = 0f;
            }
        }

        var baseName = consumer.Name.Length > 0 ? consumer.Name : consumer.Output[0];
        var zeroedName = graph.UniqueName(matMul.Input[1] + "_without_outliers");
        var columnsName = graph.UniqueName(weightName + "_outlier_columns");
        graph.AddInitializer(OnnxTensorData.FromFloats(zeroedName, [rows, cols], current));
        graph.AddInitializer(OnnxTensorData.FromFloats(columnsName, [rows, outliers.Length], columns));
        matMul.Input[1] = zeroedName;

        // When the MatMul's own input was decomposed, its float outlier product adds to these columns too: zero them
        // there as well, or X would carry f(that part) in channels O, outliers included.
        if (outlierProducts.TryGetValue(matMul, out var product0))
        {
            graph.TryGetConstant(product0.Input[1], out var rowsTensor);
            var outlierRows = OnnxTensorData.ToFloats(rowsTensor);
            var width = (int)rowsTensor.Dims[1];
            for (var r = 0; r < (int)rowsTensor.Dims[0]; r++)
            {
                foreach (var j in outliers)
                {
                    outlierRows[(r * width) + j] = 0f;
                }
            }

            var rowsName = graph.UniqueName(product0.Input[1] + "_without_outliers");
            graph.AddInitializer(OnnxTensorData.FromFloats(rowsName, [.. rowsTensor.Dims], outlierRows));
            product0.Input[1] = rowsName;
        }

        var added = new List<NodeProto>();
        var narrowRoot = graph.UniqueName(root + "_outliers");
        if (biasAdd is null)
        {
            added.Add(graph.NewNode("MatMul", [h, columnsName], [narrowRoot], baseName + "_OutlierUp"));
        }
        else
        {
            var (_, biasName) = BiasInputs(graph, biasAdd);
            graph.TryGetConstant(biasName, out var biasTensor);
            var bias = OnnxTensorData.ToFloats(biasTensor);
            var narrowBias = outliers.Select(j => bias[j]).ToArray();
            foreach (var j in outliers)
            {
                bias[j] = 0f;
            }

            var zeroedBias = graph.UniqueName(biasName + "_without_outliers");
            var narrowBiasName = graph.UniqueName(biasName + "_outliers");
            graph.AddInitializer(OnnxTensorData.FromFloats(zeroedBias, [bias.Length], bias));
            graph.AddInitializer(OnnxTensorData.FromFloats(narrowBiasName, [outliers.Length], narrowBias));
            for (var i = 0; i < biasAdd.Input.Count; i++)
            {
                if (biasAdd.Input[i] == biasName)
                {
                    biasAdd.Input[i] = zeroedBias;
                }
            }

            var product = graph.UniqueName(root + "_outlier_product");
            added.Add(graph.NewNode("MatMul", [h, columnsName], [product], baseName + "_OutlierUp"));
            added.Add(graph.NewNode("Add", [product, narrowBiasName], [narrowRoot], baseName + "_OutlierUpBias"));
        }

        // Copies of the chain in graph order, reading the narrow values.
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal) { [root] = narrowRoot };
        foreach (var node in graph.Graph.Node.Where(seen.Contains))
        {
            var copy = node.Clone();
            copy.Name = graph.UniqueName(node.Name.Length > 0 ? node.Name + "_outliers" : baseName + "_OutlierChain");
            for (var i = 0; i < copy.Input.Count; i++)
            {
                if (renamed.TryGetValue(copy.Input[i], out var narrow))
                {
                    copy.Input[i] = narrow;
                }
            }

            renamed[node.Output[0]] = copy.Output[0] = graph.UniqueName(node.Output[0] + "_outliers");
            added.Add(copy);
        }

        foreach (var node in added)
        {
            graph.InsertAfter(last, node);
        }

        return renamed[x];
    }

    /// <summary>A MatMul with a constant 2-D weight, or an Add of such a MatMul's output (read only there) and a
    /// constant 1-D bias.</summary>
    private static bool IsRoot(OnnxGraph graph, NodeProto node)
    {
        if (!OnnxGraph.IsDefaultDomain(node))
        {
            return false;
        }

        if (node.OpType == "MatMul")
        {
            return node.Input.Count == 2 && graph.TryGetConstant(node.Input[1], out var w) && w.Dims.Count == 2
                && w.DataType == (int)TensorProto.Types.DataType.Float && graph.ElementType(node.Input[0]) is 0 or (int)TensorProto.Types.DataType.Float;
        }

        if (node.OpType != "Add" || node.Input.Count != 2)
        {
            return false;
        }

        var (product, bias) = BiasInputs(graph, node);
        return product.Length > 0 && graph.Producer(product) is { } matMul && matMul.OpType == "MatMul" && IsRoot(graph, matMul)
            && !graph.IsGraphOutput(product) && graph.Consumers(product).Count == 1
            && graph.TryGetConstant(bias, out var b) && b.Dims.Count == 1 && b.DataType == (int)TensorProto.Types.DataType.Float
            && graph.TryGetConstant(matMul.Input[1], out var w2) && b.Dims[0] == w2.Dims[1];
    }

    /// <summary>The (product, bias) inputs of a bias Add, in either order; empty names when it is not one.</summary>
    private static (string Product, string Bias) BiasInputs(OnnxGraph graph, NodeProto add) =>
        graph.TryGetConstant(add.Input[1], out _) ? (add.Input[0], add.Input[1])
        : graph.TryGetConstant(add.Input[0], out _) ? (add.Input[1], add.Input[0])
        : (string.Empty, string.Empty);

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
