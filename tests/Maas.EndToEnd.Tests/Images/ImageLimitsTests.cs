using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using SkiaSharp;

namespace Maas.EndToEnd.Tests.Images;

/// <summary>The image limits come from configuration (<c>Maas:Serving:Images:*</c>), on a server of their own.</summary>
public sealed class ImageLimitsTests
{
    private const string Predict = "/models/resnet18-features/predict";

    [Fact]
    public async Task Predict_ConfiguredPixelAndCountLimits_400And413ThenServes()
    {
        await using var server = await MaasTestServer.StartAsync(samples: true,
            settings: ["Maas:Serving:Images:MaxPixels=20000", "Maas:Serving:Images:MaxImagesPerRequest=2"]);
        var small = Png(100, 100);
        var large = Png(150, 150);

        var (tooLarge, body) = await Json.PostAsync(server.Client, Predict, JsonSerializer.Serialize(new { image = Convert.ToBase64String(large) }));
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge);
        Assert.Contains("150×150", body.ToString());

        var (tooMany, _) = await Json.PostAsync(server.Client, Predict, JsonSerializer.Serialize(new { image = Enumerable.Repeat(Convert.ToBase64String(small), 3) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany);

        var (ok, vectors) = await Json.PostAsync(server.Client, Predict, JsonSerializer.Serialize(new { image = Enumerable.Repeat(Convert.ToBase64String(small), 2) }));
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.All(vectors.GetProperty("output").EnumerateArray(), v => Assert.Equal(512, v.GetArrayLength()));
    }

    private static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(30, 120, 200));
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
