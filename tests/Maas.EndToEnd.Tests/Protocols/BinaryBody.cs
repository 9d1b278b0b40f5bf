using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>Builds and reads bodies of the binary tensor data extension, independently of the server's own code.</summary>
internal static class BinaryBody
{
    public const string Header = "Inference-Header-Content-Length";

    /// <summary>POSTs <paramref name="json"/> followed by <paramref name="binary"/>, with the JSON length in the header.</summary>
    public static async Task<Response> PostAsync(HttpClient client, string path, string json, byte[] binary, string? headerValue = null)
    {
        var jsonBytes = Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent([.. jsonBytes, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(Header, headerValue ?? jsonBytes.Length.ToString(CultureInfo.InvariantCulture));
        using var response = await client.PostAsync(path, content);
        return await Response.ReadAsync(response);
    }

    /// <summary>The binary form of values written as JSON literals (as in the datatype matrix).</summary>
    public static byte[] Encode(string datatype, IEnumerable<string> values)
    {
        var bytes = new List<byte>();
        foreach (var text in values)
        {
            using var document = JsonDocument.Parse(text);
            var value = document.RootElement;
            var buffer = new byte[8];
            switch (datatype)
            {
                case "BOOL": bytes.Add(value.GetBoolean() ? (byte)1 : (byte)0); break;
                case "UINT8": bytes.Add(value.GetByte()); break;
                case "INT8": bytes.Add(unchecked((byte)value.GetSByte())); break;
                case "UINT16": BinaryPrimitives.WriteUInt16LittleEndian(buffer, value.GetUInt16()); bytes.AddRange(buffer[..2]); break;
                case "INT16": BinaryPrimitives.WriteInt16LittleEndian(buffer, value.GetInt16()); bytes.AddRange(buffer[..2]); break;
                case "UINT32": BinaryPrimitives.WriteUInt32LittleEndian(buffer, value.GetUInt32()); bytes.AddRange(buffer[..4]); break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(buffer, value.GetInt32()); bytes.AddRange(buffer[..4]); break;
                case "UINT64": BinaryPrimitives.WriteUInt64LittleEndian(buffer, value.GetUInt64()); bytes.AddRange(buffer); break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(buffer, value.GetInt64()); bytes.AddRange(buffer); break;
                case "FP16": BinaryPrimitives.WriteHalfLittleEndian(buffer, (Half)value.GetDouble()); bytes.AddRange(buffer[..2]); break;
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)value.GetDouble()); bytes.AddRange(buffer[..4]); break;
                case "FP64": BinaryPrimitives.WriteDoubleLittleEndian(buffer, value.GetDouble()); bytes.AddRange(buffer); break;
                case "BYTES":
                    var utf8 = Encoding.UTF8.GetBytes(value.GetString()!);
                    BinaryPrimitives.WriteInt32LittleEndian(buffer, utf8.Length);
                    bytes.AddRange(buffer[..4]);
                    bytes.AddRange(utf8);
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(datatype), datatype, null);
            }
        }

        return [.. bytes];
    }

    /// <summary>BYTES elements from their binary form (4-byte little-endian length, then the bytes).</summary>
    public static List<string> DecodeStrings(ReadOnlySpan<byte> binary)
    {
        var values = new List<string>();
        while (!binary.IsEmpty)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(binary);
            values.Add(Encoding.UTF8.GetString(binary.Slice(4, length)));
            binary = binary[(4 + length)..];
        }

        return values;
    }

    /// <summary>A response split into its JSON part and the bytes after it.</summary>
    internal sealed record Response(HttpStatusCode Status, string? ContentType, int? HeaderLength, JsonElement Json, byte[] Binary)
    {
        public static async Task<Response> ReadAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            int? length = response.Headers.TryGetValues(Header, out var values)
                ? int.Parse(values.Single(), CultureInfo.InvariantCulture)
                : null;
            var jsonLength = length ?? body.Length;
            using var document = JsonDocument.Parse(body.AsMemory(0, jsonLength));
            return new Response(response.StatusCode, response.Content.Headers.ContentType?.MediaType, length, document.RootElement.Clone(), body[jsonLength..]);
        }
    }
}
