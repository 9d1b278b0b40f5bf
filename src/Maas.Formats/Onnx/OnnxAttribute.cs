namespace Maas.Formats.Onnx;

/// <summary>A node attribute for <see cref="OnnxModelBuilder.AddNode"/>: an integer, float, string or list of integers.</summary>
public sealed record OnnxAttribute
{
    private OnnxAttribute(string name, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = value;
    }

    public string Name { get; }

    /// <summary>A <see cref="long"/>, <see cref="float"/>, <see cref="string"/> or <c>long[]</c>.</summary>
    internal object Value { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, value);

    public static OnnxAttribute Float(string name, float value) => new(name, value);

    public static OnnxAttribute String(string name, string value) => new(name, value ?? throw new ArgumentNullException(nameof(value)));

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, (long[])values.Clone());

    internal void WriteTo(ProtoWriter writer)
    {
        writer.WriteString(OnnxFields.AttributeName, Name);
        switch (Value)
        {
            case long i:
                writer.WriteVarint(OnnxFields.AttributeType, OnnxFields.AttributeTypeInt);
                writer.WriteVarint(OnnxFields.AttributeInt, i);
                break;
            case float f:
                writer.WriteVarint(OnnxFields.AttributeType, OnnxFields.AttributeTypeFloat);
                writer.WriteFloat(OnnxFields.AttributeFloat, f);
                break;
            case string s:
                writer.WriteVarint(OnnxFields.AttributeType, OnnxFields.AttributeTypeString);
                writer.WriteString(OnnxFields.AttributeString, s);
                break;
            case long[] ints:
                writer.WriteVarint(OnnxFields.AttributeType, OnnxFields.AttributeTypeInts);

                // onnx.proto is proto2, where repeated scalars are unpacked unless marked otherwise.
                foreach (var value in ints)
                {
                    writer.WriteVarint(OnnxFields.AttributeInts, value);
                }

                break;
            default:
                throw new InvalidOperationException($"Attribute '{Name}' holds an unsupported {Value.GetType()}.");
        }
    }
}
