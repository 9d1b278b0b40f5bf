using System.Net;
using System.Security.Cryptography;
using System.Text;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Cli;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Artifacts;

/// <summary>Artifacts at rest against a real server: a tampered file is refused by name while other models serve;
/// storage keys rotate through the CLI and the old key can then go.</summary>
public sealed class ArtifactsAtRestTests
{
    private static readonly string KeyOne = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyTwo = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string BlobPath(string data, string sha) => Path.Combine(data, "artifacts", "sha256", sha[..2], sha);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Infer_StoredFileTampered_503NamingTheFileOtherModelKeepsServing(bool encrypted)
    {
        string[] settings = encrypted ? [$"Maas:Registry:Encryption:Keys:k1={KeyOne}"] : [];
        await using var server = await MaasTestServer.StartAsync(settings: settings);
        var alpha = AddModel.Create(1);
        await server.PushAsync("alpha", [("model.onnx", alpha)]);
        await server.PushAsync("beta", AddModel.Files(2));
        Assert.Equal(AddModel.Expected(2), (await AddModel.InferAsync(server.Client, "/v2/models/beta/infer")).Output);

        var sha = AddModel.Sha256(alpha);
        var blob = BlobPath(server.DataDirectory, sha);
        File.SetAttributes(blob, FileAttributes.Normal);
        var bytes = await File.ReadAllBytesAsync(blob);
        Assert.Equal(encrypted, !bytes.AsSpan().SequenceEqual(alpha));
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        var cached = Path.Combine(server.DataDirectory, "cache", "sha256", sha[..2], sha);
        if (File.Exists(cached))
        {
            File.Delete(cached);
        }

        var (status, _, body) = await AddModel.InferAsync(server.Client, "/v2/models/alpha/infer");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var message = body.ToString();
        Assert.Contains("model.onnx of alpha:1 failed verification", message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.DataDirectory, message, StringComparison.Ordinal);
        var deployment = await Eventually.WaitForAsync(() => DeploymentAsync(server.Client, "alpha"), d => d?.GetProperty("state").GetString() == "failed");
        Assert.StartsWith("model.onnx of alpha:1 failed verification", deployment!.Value.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(AddModel.Expected(2), (await AddModel.InferAsync(server.Client, "/v2/models/beta/infer")).Output);
        using var download = await server.Client.GetAsync("/api/models/alpha/versions/1/files/model.onnx");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, download.StatusCode);
        Assert.Contains("model.onnx of alpha:1 failed verification", await download.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await server.AssertLiveAsync();
    }

    [Fact]
    public async Task KeysRotateStorage_NewActiveKey_AllBlobsRewrittenServedWithOnlyTheNewKey()
    {
        var data = TempFolder.Create("maas-e2e");
        var alpha = AddModel.Create(1);
        var beta = AddModel.Create(2);
        var first = await MaasTestServer.StartAsync(settings: [$"Maas:Registry:Encryption:Keys:one={KeyOne}"], dataDirectory: data);
        try
        {
            await first.PushAsync("alpha", [("model.onnx", alpha)]);
            await first.PushAsync("beta", [("model.onnx", beta)]);
        }
        finally
        {
            await StopKeepingDataAsync(first);
        }

        var both = await MaasTestServer.StartAsync(
            settings: [$"Maas:Registry:Encryption:Keys:one={KeyOne}", $"Maas:Registry:Encryption:Keys:two={KeyTwo}", "Maas:Registry:Encryption:ActiveKeyId=two"],
            dataDirectory: data);
        try
        {
            using var cli = new CliRunner(both.BaseAddress);
            var run = await cli.RunAsync("keys", "rotate-storage");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("2 blob(s) under storage key 'two': 2 re-encrypted", run.Output, StringComparison.Ordinal);

            var (_, keys) = await Json.GetAsync(both.Client, "/api/storage/keys");
            Assert.Equal("two", keys.GetProperty("active_key_id").GetString());
            var counts = keys.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("key_id").GetString()!, k => k.GetProperty("blobs").GetInt32());
            Assert.Equal(new Dictionary<string, int> { ["two"] = 2 }, counts);
        }
        finally
        {
            await StopKeepingDataAsync(both);
        }

        foreach (var content in new[] { alpha, beta })
        {
            var header = (await File.ReadAllBytesAsync(BlobPath(data, AddModel.Sha256(content))))[..30];
            Assert.Contains("two", Encoding.ASCII.GetString(header), StringComparison.Ordinal);
        }

        Directory.Delete(Path.Combine(data, "cache"), recursive: true);
        await using var onlyTwo = await MaasTestServer.StartAsync(settings: [$"Maas:Registry:Encryption:Keys:two={KeyTwo}"], dataDirectory: data);
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(onlyTwo.Client, "/v2/models/alpha/infer")).Output);
        Assert.Equal(AddModel.Expected(2), (await AddModel.InferAsync(onlyTwo.Client, "/v2/models/beta/infer")).Output);
    }

    [Fact]
    public async Task StorageRotate_EncryptionNotConfigured_409AndNoJob()
    {
        await using var server = await MaasTestServer.StartAsync();

        using var response = await server.Client.PostAsync("/api/storage/rotate", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Encryption at rest is not configured", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var (_, jobs) = await Json.GetAsync(server.Client, "/api/jobs");
        Assert.Equal(0, jobs.GetProperty("jobs").GetArrayLength());
    }

    /// <summary>Stops a server but keeps its data folder for the next one (disposing the test server deletes it).</summary>
    private static async Task StopKeepingDataAsync(MaasTestServer server)
    {
        server.Client.Dispose();
        await server.App.StopAsync();
        await server.App.DisposeAsync();
    }

    private static async Task<System.Text.Json.JsonElement?> DeploymentAsync(HttpClient client, string model)
    {
        var (_, list) = await Json.GetAsync(client, "/api/deployments");
        foreach (var d in list.GetProperty("deployments").EnumerateArray())
        {
            if (d.GetProperty("model").GetString() == model)
            {
                return d.Clone();
            }
        }

        return null;
    }
}
