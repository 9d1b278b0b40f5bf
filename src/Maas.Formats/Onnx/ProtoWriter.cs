using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Maas.Formats.Onnx;

/// <summary>Writes protobuf wire format into memory; nested messages are built first so their length is known.</summary>
/// <remarks>Meant for the small models the builder makes; a model with gigabytes of weights needs a streaming writer.</remarks>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void WriteVarint(int field, long value)
    {
        WriteTag(field, ProtoWireType.Varint);
        WriteRawVarint((ulong)value);
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, ProtoWireType.Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, ProtoWireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a nested message whose fields <paramref name="writeBody"/> writes.</summary>
    public void WriteMessage(int field, Action<ProtoWriter> writeBody)
    {
        var nested = new ProtoWriter();
        writeBody(nested);
        WriteBytes(field, nested.WrittenSpan);
    }

    /// <summary>Appends fields another writer already encoded: concatenated fields form one message.</summary>
    public void WriteEncoded(ProtoWriter fields) => _buffer.Write(fields.WrittenSpan);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteTag(int field, ProtoWireType wireType) => WriteRawVarint(((ulong)field << 3) | (ulong)wireType);

    private void WriteRawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        WriteByte((byte)value);
    }

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
