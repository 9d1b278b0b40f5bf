using Maas.Core.Errors;
using Maas.Serving.Processing.Images;
using SkiaSharp;

namespace Maas.UnitTests.Serving.Images;

public sealed class ImageDecoderTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Decode_LosslessImage_ReturnsDrawnPixels(SKEncodedImageFormat format)
    {
        using var drawn = TestImages.Indexed(7, 5);
        var encoded = TestImages.Encode(drawn, format);

        using var decoded = ImageDecoder.Decode(encoded, 1_000_000, 0);

        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        for (var y = 0; y < 5; y++)
        {
            for (var x = 0; x < 7; x++)
            {
                Assert.Equal(drawn.GetPixel(x, y), decoded.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Decode_Jpeg_ReturnsPixelsCloseToDrawn()
    {
        using var drawn = TestImages.Scene(64, 48);
        var encoded = TestImages.Encode(drawn, SKEncodedImageFormat.Jpeg, 100);

        using var decoded = ImageDecoder.Decode(encoded, 1_000_000, 0);

        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
        double error = 0;
        for (var y = 0; y < 48; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                var (a, b) = (drawn.GetPixel(x, y), decoded.GetPixel(x, y));
                error += Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue);
            }
        }

        Assert.True(error / (64 * 48 * 3) < 3, $"mean abs error {error / (64 * 48 * 3)}");
    }

    [Fact]
    public void Decode_LargeJpegWithSmallTarget_DecodesAtReducedScaleAtLeastTwiceTheTarget()
    {
        using var drawn = TestImages.Scene(1600, 1200);
        var jpeg = TestImages.Encode(drawn, SKEncodedImageFormat.Jpeg);
        var png = TestImages.Encode(drawn, SKEncodedImageFormat.Png);

        using var scaled = ImageDecoder.Decode(jpeg, 40_000_000, 0, (_, _) => (224, 168));
        using var full = ImageDecoder.Decode(png, 40_000_000, 0, (_, _) => (224, 168));

        Assert.Equal((600, 450), (scaled.Width, scaled.Height));
        Assert.Equal((1600, 1200), (full.Width, full.Height));
    }

    [Fact]
    public void Decode_HeaderDeclares20000x20000_RejectedWithSizeBeforeDecoding()
    {
        var crafted = TestImages.PngHeaderOnly(20000, 20000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode(crafted, 40_000_000, 3));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Image 3 declares 20000×20000 pixels", error.Message);
        Assert.Contains("MaxPixels", error.Message);
        // 20000² RGBA would be 1.6 GB; nothing near that was allocated on the managed heap.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000);
    }

    [Fact]
    public void Decode_TruncatedJpeg_RejectedAsTruncated()
    {
        using var drawn = TestImages.Scene(200, 150);
        var encoded = TestImages.Encode(drawn, SKEncodedImageFormat.Jpeg);

        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode(encoded.AsSpan(0, encoded.Length / 2), 1_000_000, 0));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Decode_TruncatedPngPixelData_Rejected()
    {
        using var drawn = TestImages.Scene(200, 150);
        var encoded = TestImages.Encode(drawn, SKEncodedImageFormat.Png);

        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode(encoded.AsSpan(0, encoded.Length * 2 / 3), 1_000_000, 0));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Decode_NotAnImage_RejectedWithReason()
    {
        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode("this is plain text, not a picture"u8, 1_000_000, 1));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Image 1 is not an image", error.Message);
    }

    [Fact]
    public void Decode_Gif_RejectedAsUnsupported()
    {
        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode(TestImages.Gif(), 1_000_000, 0));

        Assert.Contains("GIF", error.Message);
        Assert.Contains("JPEG, PNG and WebP", error.Message);
    }

    [Fact]
    public void Decode_Empty_Rejected()
    {
        var error = Assert.Throws<MaasException>(() => ImageDecoder.Decode([], 1_000_000, 0));

        Assert.Contains("empty", error.Message);
    }
}
