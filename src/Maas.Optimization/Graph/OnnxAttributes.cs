using Google.Protobuf;
using Maas.Formats.Onnx.Proto;
using AttributeType = Maas.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Maas.Optimization.Graph;

/// <summary>Reads and writes node attributes.</summary>
internal static class OnnxAttributes
{
    public static long GetInt(NodeProto node, string name, long defaultValue) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : defaultValue;

    public static float GetFloat(NodeProto node, string name, float defaultValue) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : defaultValue;

    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static NodeProto WithInt(this NodeProto node, string name, long value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeType.Int, I = value });
        return node;
    }

    public static NodeProto WithFloat(this NodeProto node, string name, float value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeType.Float, F = value });
        return node;
    }

    public static NodeProto WithString(this NodeProto node, string name, string value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) });
        return node;
    }
}
