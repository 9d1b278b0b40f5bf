using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Maas.Cli.Bench;

/// <summary>A v2 JSON infer body taken apart into raw inputs, so the same load can be sent as REST-JSON, REST with
/// the binary tensor extension, or gRPC with raw contents.</summary>
internal sealed record WireRequest(IReadOnlyList<WireInput> Inputs, IReadOnlyList<string>? Outputs)
{
    /// <summary>Reads a v2 JSON infer body (flat or nested <c>data</c>).</summary>
    public static WireRequest Parse(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var inputs = new List<WireInput>();
        foreach (var input in root.GetProperty("inputs").EnumerateArray())
        {
            var name = input.GetProperty("name").GetString()!;
            var datatype = input.GetProperty("datatype").GetString()!;
            var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (!input.TryGetProperty("data", out var data))
            {
                throw new CliException($"input {name} has no \"data\" to convert to raw form.");
            }

            var values = new List<JsonElement>();
            Flatten(data, values);
            inputs.Add(new WireInput(name, datatype, shape, Raw(name, datatype, values)));
        }

        List<string>? outputs = null;
        if (root.TryGetProperty("outputs", out var requested) && requested.ValueKind == JsonValueKind.Array)
        {
            outputs = requested.EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToList();
        }

        return new WireRequest(inputs, outputs);
    }

    /// <summary>The body of the binary tensor data extension: a JSON header whose inputs give
    /// <c>parameters.binary_data_size</c> and which asks for binary outputs, then the raw inputs in order.</summary>
    /// <returns>The body and the header's length (the <c>Inference-Header-Content-Length</c> header).</returns>
    public (byte[] Body, int HeaderLength) ToBinary()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in Inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var d in input.Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteString("datatype", input.Datatype);
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", input.Raw.Length);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (Outputs is { } outputs)
            {
                writer.WriteStartArray("outputs");
                foreach (var output in outputs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", output);
                    writer.WriteStartObject("parameters");
                    writer.WriteBoolean("binary_data", true);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteStartObject("parameters");
            writer.WriteBoolean("binary_data_output", true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        var headerLength = (int)buffer.Length;
        foreach (var input in Inputs)
        {
            buffer.Write(input.Raw);
        }

        return (buffer.ToArray(), headerLength);
    }

    private static void Flatten(JsonElement element, List<JsonElement> values)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Flatten(item, values);
            }
        }
        else
        {
            values.Add(element);
        }
    }

    private static byte[] Raw(string name, string datatype, List<JsonElement> values)
    {
        try
        {
            switch (datatype)
            {
                case "BYTES":
                    using (var stream = new MemoryStream())
                    {
                        Span<byte> length = stackalloc byte[4];
                        foreach (var value in values)
                        {
                            var bytes = Encoding.UTF8.GetBytes(value.GetString() ?? string.Empty);
                            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
                            stream.Write(length);
                            stream.Write(bytes);
                        }

                        return stream.ToArray();
                    }

                case "BOOL": return values.Select(v => v.GetBoolean() ? (byte)1 : (byte)0).ToArray();
                case "UINT8": return values.Select(v => v.GetByte()).ToArray();
                case "INT8": return Pack(values, 1, (v, s) => s[0] = (byte)v.GetSByte());
                case "UINT16": return Pack(values, 2, (v, s) => BinaryPrimitives.WriteUInt16LittleEndian(s, v.GetUInt16()));
                case "INT16": return Pack(values, 2, (v, s) => BinaryPrimitives.WriteInt16LittleEndian(s, v.GetInt16()));
                case "UINT32": return Pack(values, 4, (v, s) => BinaryPrimitives.WriteUInt32LittleEndian(s, v.GetUInt32()));
                case "INT32": return Pack(values, 4, (v, s) => BinaryPrimitives.WriteInt32LittleEndian(s, v.GetInt32()));
                case "UINT64": return Pack(values, 8, (v, s) => BinaryPrimitives.WriteUInt64LittleEndian(s, v.GetUInt64()));
                case "INT64": return Pack(values, 8, (v, s) => BinaryPrimitives.WriteInt64LittleEndian(s, v.GetInt64()));
                case "FP16": return Pack(values, 2, (v, s) => BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v.GetDouble()));
                case "FP32": return Pack(values, 4, (v, s) => BinaryPrimitives.WriteSingleLittleEndian(s, v.GetSingle()));
                case "FP64": return Pack(values, 8, (v, s) => BinaryPrimitives.WriteDoubleLittleEndian(s, v.GetDouble()));
                default: throw new CliException($"input {name}: cannot send datatype {datatype} in raw form.");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new CliException($"input {name}: a value is not a valid {datatype} ({ex.Message}).");
        }
    }

    private delegate void Writer(JsonElement value, Span<byte> target);

    private static byte[] Pack(List<JsonElement> values, int size, Writer write)
    {
        var raw = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            write(values[i], raw.AsSpan(i * size, size));
        }

        return raw;
    }

}
