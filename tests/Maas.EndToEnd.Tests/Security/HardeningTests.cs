using System.Net;
using System.Text;
using Maas.Core.Engines;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Server.Security.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Each of the server's explicit limits answered with the right 4xx/5xx in the protocol's shape, nothing
/// secret in the logs, and no server path in an error a client sees.</summary>
public sealed class HardeningTests
{
    private const string Model = "adder";

    [Fact]
    public async Task Limits_BodyDepthElementsHeadersLine_EachRefusedInProtocolShape()
    {
        await using var server = await MaasTestServer.StartAsync(settings:
        [
            "Maas:Limits:MaxRequestBodyBytes=4096",
            "Maas:Limits:MaxJsonDepth=8",
            "Maas:Limits:MaxTensorElements=30",
            "Maas:Limits:MaxRequestHeadersTotalBytes=4096",
            "Maas:Limits:MaxRequestLineBytes=1024",
        ]);
        await server.PushAsync(Model, AddModel.Files(1));
        var client = server.Client;
        var infer = $"/v2/models/{Model}/infer";

        // Body size: 413 on inference routes, whatever the protocol.
        var big = $$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "id": "{{new string('a', 5000)}}"}""";
        var (status, body) = await Json.PostAsync(client, infer, big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(System.Text.Json.JsonValueKind.String, body.GetProperty("error").ValueKind);
        (status, body) = await Json.PostAsync(client, "/v1/completions", $$"""{"model": "{{Model}}", "prompt": "{{new string('p', 5000)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());

        // JSON depth: 9 levels where 8 are allowed.
        var deep = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"parameters\": {\"a\": " + new string('[', 9) + new string(']', 9) + "}}";
        (status, body) = await Json.PostAsync(client, infer, deep);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("depth", body.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        (status, _) = await Json.PostAsync(client, $"/models/{Model}/predict", "{\"input\": " + new string('[', 9) + "1" + new string(']', 9) + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        // Tensor elements: 33 where 30 are allowed.
        var data = string.Join(", ", Enumerable.Repeat("1", 33));
        (status, body) = await Json.PostAsync(client, infer, $$"""{"inputs": [{"name": "x", "shape": [11, 3], "datatype": "FP32", "data": [{{data}}]}]}""");
        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)status} {body}");
        Assert.Contains("30", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Headers: Kestrel's own 431 past the total size.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2"))
        {
            for (var i = 0; i < 30; i++)
            {
                request.Headers.Add($"x-filler-{i}", new string('h', 200));
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }

        // Request line: 414 past its length.
        using (var response = await client.GetAsync("/v2/models/" + new string('m', 2000)))
        {
            Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        }

        // Everything under the limits still works, and the server is fine.
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(client, infer)).Output);
        await server.AssertLiveAsync();
    }

    [Fact]
    public async Task RequestTimeout_BodyNeverFinishes_504InProtocolShape()
    {
        var time = new FakeTimeProvider();
        await using var server = await MaasTestServer.StartAsync(
            settings: ["Maas:Limits:RequestTimeoutSeconds=5"],
            services: s => s.AddSingleton(new LimitsClock(time)));
        await server.PushAsync(Model, AddModel.Files(1));
        // A raw connection that promises 1,000 bytes of body and sends a few: the server waits for the rest.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v2/models/{Model}/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"inputs\": ["));
        await stream.FlushAsync();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = reader.ReadLineAsync();

        // The server's clock moves past the limit (again, while the request may not have reached the middleware yet).
        while (!statusLine.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            await Task.WhenAny(statusLine, Task.Delay(50));
        }

        Assert.StartsWith("HTTP/1.1 504", await statusLine, StringComparison.Ordinal);
        int? length = null;
        while (await reader.ReadLineAsync() is { Length: > 0 } header)
        {
            if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        // Without a Content-Length the body is chunked: the first chunk holds the whole JSON error.
        length ??= int.Parse((await reader.ReadLineAsync())!, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var buffer = new char[length.Value];
        await reader.ReadBlockAsync(buffer);
        using var error = System.Text.Json.JsonDocument.Parse(new string(buffer));
        Assert.Contains("limit of 5 s", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer")).Output);
    }

    [Fact]
    public async Task Logs_KeysTokensAndPayloads_NeverWritten()
    {
        const string Secret = "sk-guard-secret-5f1e2d";
        const string Payload = "payload-marker-77aa";
        var logs = new CapturedLogs();
        await using var server = await MaasTestServer.StartAsync(
            settings: ["Logging:LogLevel:Default=Trace", "Logging:LogLevel:Microsoft.AspNetCore=Trace", "Maas:Limits:RequestsPerSecond=1000"],
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        await server.PushAsync(Model, AddModel.Files(1));

        var calls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Post, $"/v2/models/{Model}/infer", $$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "id": "{{Payload}}"}"""),
            (HttpMethod.Post, $"/v2/models/{Model}/infer", $$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "BYTES", "data": ["{{Payload}}"]}]}"""),
            (HttpMethod.Post, "/v2/models/missing/infer", $$"""{"id": "{{Payload}}"}"""),
            (HttpMethod.Post, "/v1/chat/completions", $$"""{"model": "{{Model}}", "messages": [{"role": "user", "content": "{{Payload}}"}]}"""),
            (HttpMethod.Post, "/v1/completions", $$"""{"model": "missing", "prompt": "{{Payload}}"}"""),
            (HttpMethod.Post, $"/models/{Model}/predict", $$"""{"input": "{{Payload}}"}"""),
            (HttpMethod.Put, $"/api/models/{Model}/aliases/prod", $$"""{"version": "{{Payload}}"}"""),
            (HttpMethod.Get, "/api/models", null),
        };
        foreach (var (method, path, json) in calls)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Secret);
            request.Headers.TryAddWithoutValidation("x-api-key", Secret);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await server.Client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
        }

        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Payload, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedLoad_EngineMessageNamesArtifactPath_ClientSeesNoServerPath()
    {
        await using var server = await MaasTestServer.StartAsync(services: s => s.AddSingleton<IModelEngine, PathLeakingEngine>());
        await server.PushAsync(Model, AddModel.Files(1));

        var (status, _, body) = await AddModel.InferAsync(server.Client, $"/v2/models/{Model}/infer");
        var message = body.GetProperty("error").GetString()!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("Load model from", message, StringComparison.Ordinal);
        Assert.Contains("failed:Protobuf parsing failed", message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.DataDirectory, message, StringComparison.Ordinal);
        Assert.DoesNotContain("/artifacts/", message, StringComparison.Ordinal);
        var deployment = await FailedLoadTests.DeploymentAsync(server.Client, 1);
        var reason = deployment!.Value.GetProperty("last_error").GetString()!;
        Assert.Contains("Load model from", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(server.DataDirectory, reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), reason, StringComparison.Ordinal);
    }

    /// <summary>Fails every load the way ONNX Runtime does with a corrupt file: naming the file's full path.</summary>
    private sealed class PathLeakingEngine : IModelEngine
    {
        public string Name => "onnx";

        public Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from {context.ModelPath} failed:Protobuf parsing failed.");
    }
}
