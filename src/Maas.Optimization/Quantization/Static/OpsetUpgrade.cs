using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Raises a model's default-domain opset (from 7..12) to a target version when every op it holds means the
/// same thing there; refuses with the reason otherwise.</summary>
/// <remarks>
/// Checked against the ONNX operator changelog from opset 7 on. Compatible unchanged: the ops below whose later
/// versions only add types, optional attributes whose defaults keep the old behaviour (MaxPool/AveragePool
/// <c>ceil_mode</c>, <c>dilations</c>), negative axes, or an optional Gemm C. BatchNormalization: opset 9 removed
/// <c>spatial</c> (the per-channel behaviour, <c>spatial=1</c>, stays), so it is accepted only with <c>spatial=1</c> and
/// without the training outputs; 14/15 are not reached at 13. Ops whose attributes moved to inputs or changed meaning
/// (Softmax axis 13, Dropout ratio 12, Clip min/max 11, Pad 11, Squeeze/Unsqueeze/Split/Reduce axes 13, Slice/TopK 10,
/// Upsample) and unknown ops are refused: rewriting them is possible but not done here.
/// IR versions below 4 list initializers among the graph inputs; from 4 on such inputs become overridable (and are no
/// longer constant for the runtime), so they are dropped from the inputs when the IR version is raised.
/// </remarks>
internal static class OpsetUpgrade
{
    public const long QdqPerChannelOpset = 13;

    private const long MinimumIrForOpset13 = 7;

    private static readonly HashSet<string> Compatible = new(StringComparer.Ordinal)
    {
        "Conv", "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "HardSigmoid", "Erf",
        "Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal",
        "Floor", "Ceil", "Equal", "Less", "Greater", "Not", "And", "Or", "Where",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LRN", "InstanceNormalization",
        "Gemm", "MatMul", "Flatten", "Reshape", "Concat", "Identity", "Transpose", "Shape", "Gather", "Cast", "Constant",
        "Expand", "Tile", "ConstantOfShape", "BatchNormalization",
    };

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["Softmax"] = "its axis semantics changed in opset 13",
        ["LogSoftmax"] = "its axis semantics changed in opset 13",
        ["Hardmax"] = "its axis semantics changed in opset 13",
        ["Dropout"] = "its ratio moved from an attribute to an input in opset 12",
        ["Clip"] = "its min/max moved from attributes to inputs in opset 11",
        ["Pad"] = "its pads moved from an attribute to an input in opset 11",
        ["Squeeze"] = "its axes moved from an attribute to an input in opset 13",
        ["Unsqueeze"] = "its axes moved from an attribute to an input in opset 13",
        ["Split"] = "its split moved from an attribute to an input in opset 13",
        ["ReduceSum"] = "its axes moved from an attribute to an input in opset 13",
        ["Slice"] = "its starts/ends moved from attributes to inputs in opset 10",
        ["TopK"] = "its k moved from an attribute to an input in opset 10",
        ["Upsample"] = "it was deprecated in opset 10 (Resize replaces it)",
    };

    /// <summary>Raises the default-domain opset of <paramref name="model"/> in place to <paramref name="target"/>;
    /// returns what it did (empty when the opset was already high enough).</summary>
    /// <exception cref="MaasException">InvalidArgument naming the first op that blocks the upgrade.</exception>
    public static IReadOnlyList<string> Raise(ModelProto model, long target = QdqPerChannelOpset)
    {
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        var current = opset?.Version ?? 1;
        if (current >= target)
        {
            return [];
        }

        if (current < 7)
        {
            throw MaasException.InvalidArgument($"The model uses opset {current}; static-int8 raises opsets from 7 on only (older ops had other broadcasting rules).");
        }

        foreach (var node in model.Graph.Node.Where(QdqNodes.IsDefaultDomain))
        {
            Check(node, current, target);
        }

        foreach (var node in model.Graph.Node.Where(n => n.OpType == "BatchNormalization" && QdqNodes.IsDefaultDomain(n)))
        {
            var spatial = OnnxAttributes.Find(node, "spatial");
            if (spatial is not null)
            {
                node.Attribute.Remove(spatial);
            }
        }

        opset!.Version = target;
        var notes = new List<string> { $"default-domain opset raised from {current} to {target} (ops checked attribute-compatible)" };
        if (model.IrVersion < MinimumIrForOpset13)
        {
            var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var dropped = model.Graph.Input.Where(i => initializers.Contains(i.Name)).ToList();
            dropped.ForEach(i => model.Graph.Input.Remove(i));
            notes.Add($"IR version raised from {model.IrVersion} to {MinimumIrForOpset13}" + (dropped.Count > 0 ? $"; {dropped.Count} initializers removed from the graph inputs" : string.Empty));
            model.IrVersion = MinimumIrForOpset13;
        }

        return notes;
    }

    private static void Check(NodeProto node, long current, long target)
    {
        var where = string.IsNullOrEmpty(node.Name) ? node.OpType : $"{node.OpType} '{node.Name}'";
        if (node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
        {
            throw MaasException.InvalidArgument($"Cannot raise the opset from {current} to {target}: {where} has a subgraph.");
        }

        if (Refused.TryGetValue(node.OpType, out var reason))
        {
            throw MaasException.InvalidArgument($"Cannot raise the opset from {current} to {target}: {where} is not upgraded because {reason}.");
        }

        if (!Compatible.Contains(node.OpType))
        {
            throw MaasException.InvalidArgument($"Cannot raise the opset from {current} to {target}: op {node.OpType} has no known compatible upgrade.");
        }

        if (node.OpType == "BatchNormalization")
        {
            if (OnnxAttributes.GetInt(node, "spatial", 1) != 1)
            {
                throw MaasException.InvalidArgument($"Cannot raise the opset from {current} to {target}: {where} uses spatial=0, which opset 9 removed.");
            }

            if (node.Output.Skip(1).Any(o => !string.IsNullOrEmpty(o)))
            {
                throw MaasException.InvalidArgument($"Cannot raise the opset from {current} to {target}: {where} has training outputs.");
            }
        }
    }
}
