using System.Buffers.Text;
using Maas.Core.Errors;

namespace Maas.Serving.Processing.Images;

/// <summary>Finds the encoded image inside one element of an image input, whatever transport delivered it: raw bytes
/// (gRPC, the binary extension, multipart), base64 text (JSON) or a <c>data:image/...;base64,</c> URL.</summary>
/// <remarks>Raw bytes are recognised by the JPEG, PNG, WebP, GIF and BMP signatures, none of which is base64 text, so
/// the two cannot be confused; anything else that is valid base64 is decoded, and the rest is left for the decoder to
/// refuse with its reason.</remarks>
internal static class EncodedImage
{
    private static ReadOnlySpan<byte> DataPrefix => "data:"u8;

    private static ReadOnlySpan<byte> Base64Marker => ";base64,"u8;

    public static ReadOnlyMemory<byte> Resolve(ReadOnlyMemory<byte> element, int index)
    {
        var span = element.Span;
        if (HasImageSignature(span))
        {
            return element;
        }

        if (span.StartsWith(DataPrefix))
        {
            var comma = span.IndexOf((byte)',');
            var marker = span.IndexOf(Base64Marker);
            if (comma < 0 || marker < 0 || marker + Base64Marker.Length - 1 != comma)
            {
                throw MaasException.InvalidArgument($"Image {index}: a data URL must be 'data:<type>;base64,<data>'.");
            }

            return Decode(element[(comma + 1)..])
                ?? throw MaasException.InvalidArgument($"Image {index}: the data URL's payload is not valid base64.");
        }

        return Base64.IsValid(span) ? Decode(element) ?? element : element;
    }

    public static bool HasImageSignature(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
        || (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        || bytes.StartsWith("GIF8"u8)
        || (bytes.Length >= 6 && bytes.StartsWith("BM"u8) && bytes[2..6].IndexOfAnyExceptInRange((byte)'+', (byte)'z') >= 0);

    private static byte[]? Decode(ReadOnlyMemory<byte> text)
    {
        var span = text.Span;
        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(span.Length)];
        var status = Base64.DecodeFromUtf8(span, buffer, out _, out var written);
        if (status == System.Buffers.OperationStatus.Done)
        {
            return buffer.AsSpan(0, written).ToArray();
        }

        // DecodeFromUtf8 does not skip whitespace (line-wrapped base64); the string decoder does.
        try
        {
            return Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(span));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
