using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Folds an inference-mode BatchNormalization into the Conv before it (exact up to float rounding):
/// <c>W' = W·γ/√(σ²+ε)</c> per output channel, <c>B' = (B − μ)·γ/√(σ²+ε) + β</c>.</summary>
/// <remarks>Only when the Conv's output feeds nothing but the BatchNormalization, is not a graph output, and the Conv
/// weights, bias and the four BatchNormalization inputs are float initializers. Others stay as they are.</remarks>
internal static class BatchNormFolding
{
    /// <summary>Folds every foldable pair in place; returns how many were folded.</summary>
    public static int Fold(ModelProto model)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            node.Output.Where(o => o.Length > 0).ToList().ForEach(o => producers[o] = node);
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                uses[input] = uses.GetValueOrDefault(input) + 1;
            }
        }

        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var removed = new List<NodeProto>();
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization" && QdqNodes.IsDefaultDomain(n)).ToList())
        {
            if (bn.Input.Count < 5 || bn.Output.Skip(1).Any(o => o.Length > 0)
                || !producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || !QdqNodes.IsDefaultDomain(conv)
                || uses.GetValueOrDefault(bn.Input[0]) != 1 || graphOutputs.Contains(bn.Input[0])
                || !bn.Input.Skip(1).Take(4).All(n => IsFloat(initializers, n))
                || !IsFloat(initializers, conv.Input[1])
                || (conv.Input.Count > 2 && conv.Input[2].Length > 0 && !IsFloat(initializers, conv.Input[2])))
            {
                continue;
            }

            var weight = initializers[conv.Input[1]];
            var w = QdqTensors.ReadFloats(weight);
            var channels = (int)weight.Dims[0];
            var gamma = QdqTensors.ReadFloats(initializers[bn.Input[1]]);
            var beta = QdqTensors.ReadFloats(initializers[bn.Input[2]]);
            var mean = QdqTensors.ReadFloats(initializers[bn.Input[3]]);
            var variance = QdqTensors.ReadFloats(initializers[bn.Input[4]]);
            if (new[] { gamma, beta, mean, variance }.Any(p => p.Length != channels))
            {
                continue;
            }

            var hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
            var bias = hasBias ? QdqTensors.ReadFloats(initializers[conv.Input[2]]) : new float[channels];
            var epsilon = OnnxAttributes.GetFloat(bn, "epsilon", 1e-5f);
            var perChannel = w.Length / channels;
            var newW = new float[w.Length];
            var newB = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                var s = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                for (var k = 0; k < perChannel; k++)
                {
                    newW[(c * perChannel) + k] = (float)(w[(c * perChannel) + k] * s);
                }

                newB[c] = (float)(((bias[c] - (double)mean[c]) * s) + beta[c]);
            }

            // A weight or bias shared with another node keeps its old value there: the folded ones get new names.
            var wName = uses.GetValueOrDefault(conv.Input[1]) == 1 ? conv.Input[1] : Unique(initializers, conv.Input[1] + "_bnfolded");
            var bName = hasBias && uses.GetValueOrDefault(conv.Input[2]) == 1 ? conv.Input[2] : Unique(initializers, wName + "_bias");
            Replace(graph, initializers, QdqTensors.Floats(wName, [.. weight.Dims], newW));
            Replace(graph, initializers, QdqTensors.Floats(bName, [channels], newB));
            conv.Input[1] = wName;
            if (hasBias)
            {
                conv.Input[2] = bName;
            }
            else
            {
                conv.Input.Add(bName);
            }

            conv.Output[0] = bn.Output[0];
            producers[bn.Output[0]] = conv;
            removed.Add(bn);
        }

        removed.ForEach(n => graph.Node.Remove(n));
        RemoveUnused(graph);
        return removed.Count;
    }

    /// <summary>Drops initializers no node reads any more (and their graph-input entries).</summary>
    public static void RemoveUnused(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var init in graph.Initializer.Where(i => !used.Contains(i.Name)).ToList())
        {
            graph.Initializer.Remove(init);
            graph.Input.Where(i => i.Name == init.Name).ToList().ForEach(i => graph.Input.Remove(i));
        }
    }

    private static bool IsFloat(Dictionary<string, TensorProto> initializers, string name) =>
        initializers.TryGetValue(name, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float;

    private static string Unique(Dictionary<string, TensorProto> initializers, string name)
    {
        var candidate = name;
        for (var i = 1; initializers.ContainsKey(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private static void Replace(GraphProto graph, Dictionary<string, TensorProto> initializers, TensorProto tensor)
    {
        if (initializers.TryGetValue(tensor.Name, out var old))
        {
            graph.Initializer[graph.Initializer.IndexOf(old)] = tensor;
        }
        else
        {
            graph.Initializer.Add(tensor);
        }

        initializers[tensor.Name] = tensor;
    }
}
