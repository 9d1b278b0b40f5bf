using System.Net;
using System.Net.Http.Headers;
using System.Numerics.Tensors;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Samples;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Maas.EndToEnd.Tests.Images;

/// <summary>The ResNet18 sample through every transport that carries images, checked against the package's own two
/// graphs run one after the other on the same pixels.</summary>
[Collection(SampleServerCollection.Name)]
public sealed class ImageEmbeddingsTests(SampleServerFixture fixture)
{
    private const int Side = 224;
    private const string Predict = "/models/resnet18-features/predict";

    [Fact]
    public async Task Predict_MultipartPng_Returns512FloatsMatchingPackageGraphs()
    {
        var png = DrawPng(0);

        var vector = await PredictMultipartAsync(png);

        Assert.Equal(512, vector.Length);
        var cosine = TensorPrimitives.CosineSimilarity(vector, Reference(png));
        Assert.True(cosine >= 0.9999, $"cosine {cosine}");
    }

    [Fact]
    public async Task Predict_Base64JsonList_SameVectorsAsMultipart()
    {
        var images = new[] { DrawPng(1), DrawJpeg(2) };

        var (status, body) = await Json.PostAsync(fixture.Server.Client, Predict,
            JsonSerializer.Serialize(new { image = images.Select(Convert.ToBase64String).ToArray() }));

        Assert.Equal(HttpStatusCode.OK, status);
        var vectors = body.GetProperty("output").EnumerateArray().Select(ToFloats).ToList();
        Assert.Equal(2, vectors.Count);
        for (var i = 0; i < images.Length; i++)
        {
            var alone = await PredictMultipartAsync(images[i]);
            Assert.True(TensorPrimitives.CosineSimilarity(alone, vectors[i]) >= 0.99999);
        }
    }

    [Fact]
    public async Task OpenAiEmbeddings_DataUrlInputs_ReturnVectorsLikePredict()
    {
        var png = DrawPng(3);
        var request = JsonSerializer.Serialize(new
        {
            model = SampleModels.ResNet18Name,
            input = new[] { "data:image/png;base64," + Convert.ToBase64String(png), Convert.ToBase64String(png) },
        });

        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v1/embeddings", request);

        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("data").EnumerateArray().Select(d => ToFloats(d.GetProperty("embedding"))).ToList();
        Assert.Equal(2, data.Count);
        var expected = await PredictMultipartAsync(png);
        Assert.All(data, v => Assert.True(TensorPrimitives.CosineSimilarity(expected, v) >= 0.99999));
    }

    [Fact]
    public async Task V2Infer_BytesInputBase64_ReturnsEmbeddingPerImage()
    {
        var images = new[] { DrawPng(4), DrawPng(5), DrawJpeg(6) };
        var request = JsonSerializer.Serialize(new
        {
            inputs = new[] { new { name = "image", shape = new[] { images.Length }, datatype = "BYTES", data = images.Select(Convert.ToBase64String).ToArray() } },
        });

        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v2/models/resnet18-features/infer", request);

        Assert.Equal(HttpStatusCode.OK, status);
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal([images.Length, 512], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var values = ToFloats(output.GetProperty("data"));
        var first = await PredictMultipartAsync(images[0]);
        Assert.True(TensorPrimitives.CosineSimilarity(first, values.AsSpan(0, 512)) >= 0.99999);
    }

    [Fact]
    public async Task Predict_ConcurrentRequests_EachGetsItsOwnVector()
    {
        var images = Enumerable.Range(0, 6).Select(DrawPng).ToArray();
        var alone = new List<float[]>();
        foreach (var image in images)
        {
            alone.Add(await PredictMultipartAsync(image));
        }

        var together = await Task.WhenAll(images.Select(PredictMultipartAsync));

        for (var i = 0; i < images.Length; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(alone[i], together[i]) >= 0.99999, $"image {i}");
        }
    }

    [Fact]
    public async Task Predict_HeaderDeclares20000x20000_400AndServerKeepsServing()
    {
        using var response = await PostMultipartAsync(PngHeaderOnly(20000, 20000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("20000×20000", await response.Content.ReadAsStringAsync());
        Assert.Equal(512, (await PredictMultipartAsync(DrawPng(0))).Length);
    }

    [Fact]
    public async Task Predict_TruncatedJpeg_400WithReason()
    {
        var jpeg = DrawJpeg(1);

        using var response = await PostMultipartAsync(jpeg[..(jpeg.Length / 2)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("truncated", await response.Content.ReadAsStringAsync());
        await fixture.Server.AssertLiveAsync();
    }

    [Fact]
    public async Task Predict_TextFileAndBadBase64_400()
    {
        using var response = await PostMultipartAsync("just some text"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var (status, _) = await Json.PostAsync(fixture.Server.Client, Predict, """{"image": "not-base64!!"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private async Task<float[]> PredictMultipartAsync(byte[] image)
    {
        using var response = await PostMultipartAsync(image);
        var body = await Json.ReadAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return ToFloats(body.GetProperty("output"));
    }

    private async Task<HttpResponseMessage> PostMultipartAsync(byte[] image)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", "image.bin");
        return await fixture.Server.Client.PostAsync(Predict, form);
    }

    private static float[] ToFloats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static SKBitmap Draw(int seed)
    {
        var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var gradient = new SKPaint
        {
            Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(Side, Side),
                [new SKColor((byte)(35 * seed), 90, 210), new SKColor(240, (byte)(220 - (25 * seed)), 40)], SKShaderTileMode.Clamp),
        };
        canvas.DrawRect(0, 0, Side, Side, gradient);
        using var shape = new SKPaint { Color = new SKColor(200, (byte)(30 * seed), 40), IsAntialias = true };
        canvas.DrawCircle(60 + (20 * seed), 100, 50, shape);
        return bitmap;
    }

    private static byte[] DrawPng(int seed)
    {
        using var bitmap = Draw(seed);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] DrawJpeg(int seed)
    {
        using var bitmap = Draw(seed);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>ResNetPreprocess.onnx then ResNet18.onnx, as shipped, on the decoded 224×224 RGB pixels.</summary>
    private static float[] Reference(byte[] encoded)
    {
        using var decoded = SKBitmap.Decode(encoded);
        var rgb = new float[3 * Side * Side];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var pixel = decoded.GetPixel(x, y);
                rgb[(y * Side) + x] = pixel.Red;
                rgb[(Side * Side) + (y * Side) + x] = pixel.Green;
                rgb[(2 * Side * Side) + (y * Side) + x] = pixel.Blue;
            }
        }

        var preprocessed = Run(SampleModels.ResNet18PreprocessPath, "OriginalInput", rgb, "PreprocessedInput");
        return Run(SampleModels.ResNet18Path, "Input247", preprocessed, "Pooling395_Output_0");
    }

    private static float[] Run(string path, string input, float[] values, string output)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        using var value = OrtValue.CreateTensorValueFromMemory(values, [1, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static byte[] PngHeaderOnly(int width, int height)
    {
        // Signature, IHDR (RGB, 8 bits), then an IDAT holding only a few compressed rows.
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(stream, "IHDR", ihdr);
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[1000]);
        }

        Chunk(stream, "IDAT", compressed.ToArray());
        return stream.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        var crc = 0xFFFFFFFFu;
        foreach (var b in typed)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        var crcBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crcBytes, ~crc);
        stream.Write(crcBytes);
    }
}
