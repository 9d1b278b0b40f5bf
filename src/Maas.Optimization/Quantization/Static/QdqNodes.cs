using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Small node and attribute helpers for the static pass.</summary>
internal static class QdqNodes
{
    public static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static NodeProto Node(string opType, string name, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>The ONNX element type of a graph input, output or value_info, or 0 when unknown.</summary>
    public static int ElementType(ValueInfoProto info) =>
        info.Type?.TensorType is { } tensor ? tensor.ElemType : 0;

    public static long DefaultOpset(ModelProto model) =>
        model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;
}
