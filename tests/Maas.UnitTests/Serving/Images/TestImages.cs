using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace Maas.UnitTests.Serving.Images;

/// <summary>Images the tests draw themselves: known pixels, gradients with shapes, and crafted or corrupt files.</summary>
internal static class TestImages
{
    /// <summary>A bitmap whose pixel (x, y) is (10x + 1, 10y + 2, x + y + 3).</summary>
    public static SKBitmap Indexed(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)((10 * x) + 1), (byte)((10 * y) + 2), (byte)(x + y + 3)));
            }
        }

        return bitmap;
    }

    /// <summary>A colourful scene: a diagonal gradient with a circle and a rectangle, varied by <paramref name="seed"/>.</summary>
    public static SKBitmap Scene(int width, int height, int seed = 0)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var gradient = new SKPaint
        {
            Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                [new SKColor((byte)(40 * seed), 80, 200), new SKColor(250, (byte)(200 - (30 * seed)), 30)], SKShaderTileMode.Clamp),
        };
        canvas.DrawRect(0, 0, width, height, gradient);
        using var red = new SKPaint { Color = new SKColor(220, 30, (byte)(20 * seed)), IsAntialias = true };
        canvas.DrawCircle(width * (0.3f + (0.1f * seed)), height * 0.4f, Math.Min(width, height) * 0.2f, red);
        using var dark = new SKPaint { Color = new SKColor(20, 20, 60) };
        canvas.DrawRect(width * 0.55f, height * (0.5f - (0.05f * seed)), width * 0.3f, height * 0.25f, dark);
        return bitmap;
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = format switch
        {
            SKEncodedImageFormat.Png => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)),
            SKEncodedImageFormat.Webp => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)),
            _ => pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore)),
        };
        return data?.ToArray() ?? throw new InvalidOperationException($"Encoding {format} failed.");
    }

    /// <summary>A PNG whose header declares <paramref name="width"/>×<paramref name="height"/> RGB pixels followed by
    /// only the start of the pixel data: what a decompression bomb or a lying header looks like.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(stream, "IHDR", ihdr);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[1000]);
        }

        WriteChunk(stream, "IDAT", compressed.ToArray());
        return stream.ToArray();
    }

    /// <summary>A 1×1 GIF (a format the decoder reads but image models do not take).</summary>
    public static byte[] Gif() => Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==");

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        stream.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        stream.Write(crc);
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: a few hundred bytes per test.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
