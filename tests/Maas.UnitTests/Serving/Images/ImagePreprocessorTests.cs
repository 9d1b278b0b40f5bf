using System.Text;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Serving.Processing.Images;
using SkiaSharp;

namespace Maas.UnitTests.Serving.Images;

public sealed class ImagePreprocessorTests
{
    private static readonly Dictionary<string, string> NoFiles = [];

    private static ProcessingStep Step(string name, params (string Key, string Value)[] parameters) =>
        new(name, parameters.ToDictionary(p => p.Key, p => p.Value));

    private static ImagePreprocessor Create(params ProcessingStep[] steps) =>
        new([Step(ProcessingSteps.DecodeImage), .. steps], NoFiles, new ImageOptions());

    private static float[] Run(ImagePreprocessor preprocessor, byte[] encoded)
    {
        var values = new float[preprocessor.ImageElements];
        preprocessor.Process(encoded, values, 0);
        return values;
    }

    [Fact]
    public void Process_CenterCropRgbNchw_TakesMiddlePixelsInPlanes()
    {
        // 6×4 image, crop 2×2 → x in [2, 3], y in [1, 2].
        var encoded = TestImages.Encode(TestImages.Indexed(6, 4), SKEncodedImageFormat.Png);
        var preprocessor = Create(Step(ProcessingSteps.CenterCrop, ("size", "2")));

        var values = Run(preprocessor, encoded);

        Assert.Equal([3L, 2, 2], preprocessor.ImageShape);
        float[] red = [21, 31, 21, 31];
        float[] green = [12, 12, 22, 22];
        float[] blue = [6, 7, 7, 8];
        Assert.Equal([.. red, .. green, .. blue], values);
    }

    [Fact]
    public void Process_BgrNhwcScaleNormalize_AppliesStepsInOrder()
    {
        var encoded = TestImages.Encode(TestImages.Indexed(2, 1), SKEncodedImageFormat.Png);
        var preprocessor = Create(
            Step(ProcessingSteps.CenterCrop, ("size", "2x1")),
            Step(ProcessingSteps.ChannelOrder, ("order", "BGR")),
            Step(ProcessingSteps.Layout, ("layout", "NHWC")),
            Step(ProcessingSteps.Scale, ("range", "0-1")),
            Step(ProcessingSteps.Normalize, ("mean", "0.5,0.25,0"), ("std", "0.5,0.25,2")));

        var values = Run(preprocessor, encoded);

        // Pixel (0,0) = RGB(1, 2, 3), pixel (1,0) = RGB(11, 2, 4); BGR, then (v/255 - mean[c]) / std[c].
        float[] expected =
        [
            ((3 / 255f) - 0.5f) / 0.5f, ((2 / 255f) - 0.25f) / 0.25f, (1 / 255f) / 2,
            ((4 / 255f) - 0.5f) / 0.5f, ((2 / 255f) - 0.25f) / 0.25f, (11 / 255f) / 2,
        ];
        Assert.Equal([1L, 2, 3], preprocessor.ImageShape);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], values[i], 5);
        }
    }

    [Fact]
    public void Process_ShorterSideThenCrop_KeepsAspectAndCentres()
    {
        // 300×100: shorter side 50 → 150×50, crop 50 → the middle third, where the drawn square sits.
        using var bitmap = new SKBitmap(300, 100);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            using var white = new SKPaint { Color = SKColors.White };
            canvas.DrawRect(100, 0, 100, 100, white);
        }

        var preprocessor = Create(Step(ProcessingSteps.Resize, ("shorter_side", "50")), Step(ProcessingSteps.CenterCrop, ("size", "50")));

        var values = Run(preprocessor, TestImages.Encode(bitmap, SKEncodedImageFormat.Png));

        Assert.True(values.Min() > 250, $"min {values.Min()}: the crop should be all white");
    }

    [Fact]
    public void Process_LinearResizeOfCheckerboard_AveragesInsteadOfAliasing()
    {
        // A one-pixel checkerboard shrunk 8×: a filter that averages gives mid grey, point sampling black or white.
        using var bitmap = new SKBitmap(512, 512);
        for (var y = 0; y < 512; y++)
        {
            for (var x = 0; x < 512; x++)
            {
                bitmap.SetPixel(x, y, (x + y) % 2 == 0 ? SKColors.White : SKColors.Black);
            }
        }

        var encoded = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        var linear = Run(Create(Step(ProcessingSteps.Resize, ("size", "64"))), encoded);
        var nearest = Run(Create(Step(ProcessingSteps.Resize, ("size", "64"), ("filter", "nearest"))), encoded);

        Assert.All(linear, v => Assert.InRange(v, 100, 155));
        Assert.Contains(nearest, v => v is < 30 or > 225);
    }

    [Fact]
    public void Process_Base64AndDataUrl_DecodeToSameValuesAsRawBytes()
    {
        var raw = TestImages.Encode(TestImages.Scene(40, 30), SKEncodedImageFormat.Png);
        var preprocessor = Create(Step(ProcessingSteps.CenterCrop, ("size", "20")));
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(raw));
        var dataUrl = Encoding.ASCII.GetBytes("data:image/png;base64," + Convert.ToBase64String(raw));

        var expected = Run(preprocessor, raw);

        Assert.Equal(expected, Run(preprocessor, EncodedImage.Resolve(base64, 0).ToArray()));
        Assert.Equal(expected, Run(preprocessor, EncodedImage.Resolve(dataUrl, 0).ToArray()));
        Assert.Equal(raw, EncodedImage.Resolve(raw, 0).ToArray());
    }

    [Fact]
    public void Process_LargeJpegScaledAtDecode_CloseToLosslessFullDecode()
    {
        using var drawn = TestImages.Scene(1600, 1200, 2);
        var preprocessor = Create(Step(ProcessingSteps.Resize, ("shorter_side", "224")), Step(ProcessingSteps.CenterCrop, ("size", "224")));

        var fromJpeg = Run(preprocessor, TestImages.Encode(drawn, SKEncodedImageFormat.Jpeg));
        var fromPng = Run(preprocessor, TestImages.Encode(drawn, SKEncodedImageFormat.Png));

        var meanError = fromJpeg.Zip(fromPng, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 2, $"mean abs difference {meanError} of 255");
    }

    [Fact]
    public void Create_StepsWithoutFixedSize_Rejected()
    {
        var error = Assert.Throws<MaasException>(() => Create(Step(ProcessingSteps.Resize, ("shorter_side", "224"))));

        Assert.Contains("fixed size", error.Message);
    }

    [Theory]
    [InlineData(ProcessingSteps.Resize, "filter", "bogus")]
    [InlineData(ProcessingSteps.ChannelOrder, "order", "GBR")]
    [InlineData(ProcessingSteps.Normalize, "mean", "1,2")]
    [InlineData(ProcessingSteps.CenterCrop, "size", "0")]
    public void Create_BadParameter_RejectedWithReason(string step, string key, string value)
    {
        var parameters = step == ProcessingSteps.Resize ? new[] { ("size", "8"), (key, value) } : [(key, value)];

        Assert.Throws<MaasException>(() => Create(Step(ProcessingSteps.CenterCrop, ("size", "8")), Step(step, parameters)));
    }

    [Fact]
    public void Process_ManifestPixelLimitLowerThanServer_Applies()
    {
        var preprocessor = new ImagePreprocessor(
            [Step(ProcessingSteps.DecodeImage, ("max_pixels", "100")), Step(ProcessingSteps.CenterCrop, ("size", "5"))], NoFiles, new ImageOptions());
        var encoded = TestImages.Encode(TestImages.Indexed(11, 10), SKEncodedImageFormat.Png);

        var error = Assert.Throws<MaasException>(() => Run(preprocessor, encoded));

        Assert.Contains("11×10", error.Message);
    }
}
