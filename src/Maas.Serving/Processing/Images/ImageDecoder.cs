using System.Globalization;
using Maas.Core.Errors;
using SkiaSharp;

namespace Maas.Serving.Processing.Images;

/// <summary>Decodes JPEG, PNG and WebP with SkiaSharp into RGBA pixels, after reading the header's dimensions and
/// refusing images larger than the pixel limit before any pixel buffer is allocated.</summary>
/// <remarks>Every refusal is a 400 (<see cref="MaasErrorKind.InvalidArgument"/>) that says which image and why; the
/// decoder never writes outside its own buffers, so a malformed image cannot harm the requests around it.</remarks>
internal static class ImageDecoder
{
    /// <summary>Formats a model may be sent.</summary>
    public static IReadOnlyList<SKEncodedImageFormat> Supported { get; } =
        [SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Png, SKEncodedImageFormat.Webp];

    /// <summary>Decodes image <paramref name="index"/> of a request; the caller disposes the bitmap.</summary>
    /// <param name="encoded">The encoded image.</param>
    /// <param name="maxPixels">Most pixels the header may declare.</param>
    /// <param name="index">The image's position in its request, for messages.</param>
    /// <param name="minimumSize">Given the header's size, the smallest size the next step needs (a resize's target),
    /// or null for full size. A JPEG is then decoded at the smallest of libjpeg's 1/8 … 8/8 scales that stays at
    /// least twice that size: a 12-megapixel photo bound for 224×224 decodes to 1/8 of its pixels, in a fraction of
    /// the time and memory, and the resize filter still works from more pixels than it keeps.</param>
    public static SKBitmap Decode(ReadOnlySpan<byte> encoded, long maxPixels, int index, Func<int, int, (int Width, int Height)>? minimumSize = null)
    {
        if (encoded.IsEmpty)
        {
            throw Invalid(index, "is empty.");
        }

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw Invalid(index, $"is not an image that can be read ({Describe(encoded)}); send JPEG, PNG or WebP.");
        if (!Supported.Contains(codec.EncodedFormat))
        {
            throw Invalid(index, $"is {codec.EncodedFormat.ToString().ToUpperInvariant()}; supported formats are JPEG, PNG and WebP.");
        }

        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width <= 0 || height <= 0)
        {
            throw Invalid(index, $"declares {width}×{height} pixels.");
        }

        var pixels = (long)width * height;
        if (pixels > maxPixels)
        {
            throw Invalid(index, string.Create(CultureInfo.InvariantCulture,
                $"declares {width}×{height} pixels ({pixels / 1e6:0.#} megapixels); the limit is {maxPixels / 1e6:0.#} megapixels (Maas:Serving:Images:MaxPixels)."));
        }

        (width, height) = DecodeSize(codec, width, height, minimumSize);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap();
        try
        {
            if (!bitmap.TryAllocPixels(info))
            {
                throw new MaasException(MaasErrorKind.Unavailable, $"Image {index}: no memory for {width}×{height} pixels.");
            }

            var result = codec.GetPixels(info, bitmap.GetPixels());
            return result switch
            {
                SKCodecResult.Success => bitmap,
                SKCodecResult.IncompleteInput => throw Invalid(index, $"is truncated: its {codec.EncodedFormat.ToString().ToUpperInvariant()} data ends before all {width}×{height} pixels."),
                SKCodecResult.ErrorInInput => throw Invalid(index, $"is corrupt: its {codec.EncodedFormat.ToString().ToUpperInvariant()} data could not be decoded."),
                var other => throw Invalid(index, $"could not be decoded ({other})."),
            };
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static (int Width, int Height) DecodeSize(SKCodec codec, int width, int height, Func<int, int, (int Width, int Height)>? minimumSize)
    {
        if (minimumSize is null || codec.EncodedFormat != SKEncodedImageFormat.Jpeg)
        {
            return (width, height);
        }

        var (minWidth, minHeight) = minimumSize(width, height);
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var scaled = codec.GetScaledDimensions(eighths / 8f);
            if (scaled.Width >= 2L * minWidth && scaled.Height >= 2L * minHeight && scaled.Width < width && scaled.Height < height)
            {
                return (scaled.Width, scaled.Height);
            }
        }

        return (width, height);
    }

    private static string Describe(ReadOnlySpan<byte> bytes) =>
        bytes.Length < 8 ? $"only {bytes.Length} bytes" : $"{bytes.Length} bytes starting {Convert.ToHexString(bytes[..8])}";

    private static MaasException Invalid(int index, string reason) => MaasException.InvalidArgument($"Image {index} {reason}");
}
