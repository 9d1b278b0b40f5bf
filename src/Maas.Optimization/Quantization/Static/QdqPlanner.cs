using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Chooses the nodes and activations the static pass quantizes (see <see cref="QdqPlan"/>).</summary>
internal static class QdqPlanner
{
    private static readonly HashSet<string> SameTypeAsFirstInput = new(StringComparer.Ordinal)
    {
        "Conv", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "MaxPool",
        "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Concat", "Transpose", "Identity",
        "BatchNormalization", "Softmax", "Squeeze", "Unsqueeze", "Gather", "Clip", "Pad", "Slice", "Resize", "LRN",
    };

    private static readonly HashSet<string> Propagating = new(StringComparer.Ordinal) { "MaxPool", "Flatten", "Reshape" };

    private static readonly HashSet<string> FusableProducers = new(StringComparer.Ordinal) { "Conv", "MatMul", "Gemm", "Add" };

    public static QdqPlan Plan(ModelProto model, StaticInt8Options options)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var floats = FloatTensors(graph, initializers);
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            node.Input.Where(i => i.Length > 0).ToList().ForEach(i => uses[i] = uses.GetValueOrDefault(i) + 1);
            node.Output.Where(o => o.Length > 0).ToList().ForEach(o => producers[o] = node);
        }

        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        bool IsActivation(string name) => name.Length > 0 && floats.Contains(name) && !initializers.ContainsKey(name);
        bool IsWeight(string name, int rank) =>
            initializers.TryGetValue(name, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == rank;

        var selected = new List<NodeProto>();
        var skipped = new List<string>();
        foreach (var node in graph.Node)
        {
            if (!QdqNodes.IsDefaultDomain(node) || !options.OpTypes.Contains(node.OpType))
            {
                continue;
            }

            var label = string.IsNullOrEmpty(node.Name) ? $"{node.OpType} → {node.Output[0]}" : $"{node.OpType} '{node.Name}'";
            if (!string.IsNullOrEmpty(node.Name) && options.Exclude.Contains(node.Name))
            {
                skipped.Add($"{label}: excluded by the options");
                continue;
            }

            string? reason = node.OpType switch
            {
                _ when node.Input.Count == 0 || !IsActivation(node.Input[0]) => "its first input is not a float activation",
                "Conv" when node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var w) || w.Dims.Count < 3 || w.DataType != (int)TensorProto.Types.DataType.Float => "its weight is not a float initializer",
                "MatMul" when !IsWeight(node.Input[1], 2) && !IsActivation(node.Input[1]) => "its second input is neither a 2-D float initializer nor a float activation",
                "Gemm" when !IsWeight(node.Input[1], 2) || OnnxAttributes.GetInt(node, "transA", 0) != 0 => "it needs a 2-D float weight initializer and transA=0",
                "Add" when node.Input.Count != 2 || !IsActivation(node.Input[1]) => "one of its inputs is a constant",
                "Concat" when !node.Input.All(IsActivation) => "one of its inputs is not a float activation",
                _ => null,
            };
            if (reason is not null)
            {
                skipped.Add($"{label}: {reason}");
                continue;
            }

            selected.Add(node);
        }

        var selectedSet = selected.ToHashSet();
        var fusions = new List<(NodeProto, NodeProto)>();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!options.SymmetricActivations)
        {
            foreach (var relu in selected.Where(n => n.OpType == "Relu").ToList())
            {
                var x = relu.Input[0];
                if (producers.TryGetValue(x, out var producer) && selectedSet.Contains(producer) && FusableProducers.Contains(producer.OpType)
                    && uses.GetValueOrDefault(x) == 1 && !graphOutputs.Contains(x) && producer.Output.Count == 1)
                {
                    fusions.Add((producer, relu));
                    renamed[x] = relu.Output[0];
                    selectedSet.Remove(relu);
                }
            }
        }

        var nodes = selected.Where(selectedSet.Contains).ToList();
        var tensors = new HashSet<string>(StringComparer.Ordinal);
        var propagated = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var activations = node.OpType switch
            {
                "Conv" or "Gemm" or "Relu" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "Flatten" or "Reshape" => [node.Input[0]],
                "MatMul" => initializers.ContainsKey(node.Input[1]) ? [node.Input[0]] : [node.Input[0], node.Input[1]],
                _ => node.Input.Where(i => i.Length > 0).ToList(),
            };
            activations.ForEach(a => tensors.Add(a));
            var output = renamed.GetValueOrDefault(node.Output[0], node.Output[0]);
            tensors.Add(output);
            if (Propagating.Contains(node.OpType))
            {
                propagated[output] = node.Input[0];
            }
        }

        var calibrated = tensors.Where(t => !propagated.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        return new QdqPlan(nodes, fusions, tensors, propagated, calibrated, skipped);
    }

    /// <summary>Float tensors, from declared types (inputs, value_info, initializers) and, for common ops, the type of
    /// their first input; tensors of unknown type are not quantized.</summary>
    private static HashSet<string> FloatTensors(GraphProto graph, Dictionary<string, TensorProto> initializers)
    {
        const int floatType = (int)TensorProto.Types.DataType.Float;
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var info in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (QdqNodes.ElementType(info) is var t and not 0)
            {
                types[info.Name] = t;
            }
        }

        foreach (var init in initializers.Values)
        {
            types[init.Name] = init.DataType;
        }

        foreach (var node in graph.Node)
        {
            if (QdqNodes.IsDefaultDomain(node) && SameTypeAsFirstInput.Contains(node.OpType) && node.Input.Count > 0
                && types.TryGetValue(node.Input[0], out var type) && node.Output.Count > 0)
            {
                types.TryAdd(node.Output[0], type);
            }
        }

        return types.Where(kv => kv.Value == floatType).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
    }
}
