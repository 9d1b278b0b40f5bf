using Maas.Formats.Onnx.Proto;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.Optimization.Graph;

/// <summary>Element types of a graph's values, propagated forward from inputs, initializers and constants with a
/// small table of operator rules; declared value_info wins where present.</summary>
/// <remarks>Not full ONNX type inference: an operator not in the table is assumed to output its first typed input's
/// type, which holds for elementwise, shape-manipulating and linear-algebra operators. Unknown stays 0.</remarks>
internal static class OnnxTypeInference
{
    private static readonly HashSet<string> BoolOutputs = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> Int64Outputs = new(StringComparer.Ordinal) { "Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression" };

    public static Dictionary<string, int> Infer(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in graph.Graph.Input)
        {
            types[input.Name] = graph.ElementType(input.Name);
        }

        foreach (var initializer in graph.Graph.Initializer)
        {
            types[initializer.Name] = initializer.DataType;
        }

        foreach (var node in graph.Graph.Node)
        {
            var outputs = OutputTypes(node, types);
            for (var i = 0; i < node.Output.Count; i++)
            {
                var declared = graph.ElementType(node.Output[i]);
                types[node.Output[i]] = declared != 0 ? declared : outputs(i);
            }
        }

        return types;
    }

    private static Func<int, int> OutputTypes(NodeProto node, Dictionary<string, int> types)
    {
        int In(int i) => i < node.Input.Count && types.TryGetValue(node.Input[i], out var t) ? t : 0;
        int FirstKnown() => node.Input.Select(i => types.GetValueOrDefault(i)).FirstOrDefault(t => t != 0);
        int AttributeType(string name, int fallback) =>
            OnnxAttributes.Find(node, name) is { } a ? (a.T is not null ? a.T.DataType : (int)a.I) : fallback;

        if (!OnnxGraph.IsDefaultDomain(node))
        {
            return node.OpType switch
            {
                "DynamicQuantizeMatMul" or "MatMulIntegerToFloat" or "MatMulNBits" => _ => In(0) is 0 or (int)DataType.Uint8 or (int)DataType.Int8 ? (int)DataType.Float : In(0),
                _ => _ => FirstKnown(),
            };
        }

        return node.OpType switch
        {
            "Cast" => _ => (int)OnnxAttributes.GetInt(node, "to", 0),
            "CastLike" => _ => In(1),
            "Constant" => _ => OnnxAttributes.Find(node, "value")?.T?.DataType
                ?? (OnnxAttributes.Find(node, "value_float") is not null || OnnxAttributes.Find(node, "value_floats") is not null ? (int)DataType.Float : (int)DataType.Int64),
            "ConstantOfShape" => _ => AttributeType("value", (int)DataType.Float),
            "EyeLike" or "RandomNormalLike" or "RandomUniformLike" => _ => AttributeType("dtype", In(0)),
            "RandomNormal" or "RandomUniform" => _ => AttributeType("dtype", (int)DataType.Float),
            "Where" => _ => In(1),
            "DynamicQuantizeLinear" => i => i == 1 ? (int)DataType.Float : (int)DataType.Uint8,
            "QuantizeLinear" => _ => In(2) != 0 ? In(2) : (int)DataType.Uint8,
            "DequantizeLinear" => _ => In(1) != 0 ? In(1) : (int)DataType.Float,
            "MatMulInteger" or "ConvInteger" => _ => (int)DataType.Int32,
            "TopK" => i => i == 1 ? (int)DataType.Int64 : In(0),
            "MaxPool" => i => i == 1 ? (int)DataType.Int64 : In(0),
            "Unique" => i => i == 0 ? In(0) : (int)DataType.Int64,
            "Dropout" => i => i == 1 ? (int)DataType.Bool : In(0),
            _ when BoolOutputs.Contains(node.OpType) => _ => (int)DataType.Bool,
            _ when Int64Outputs.Contains(node.OpType) => _ => (int)DataType.Int64,
            _ => _ => FirstKnown(),
        };
    }
}
