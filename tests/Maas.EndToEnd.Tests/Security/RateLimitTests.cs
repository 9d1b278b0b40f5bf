using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Maas.Server.Protocols.Grpc.Inference;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Server.Security.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Requests per second per key (anonymous callers per address), refused with 429 and <c>Retry-After</c> in
/// each protocol's own shape; the limiter's clock is a fake one, so nothing sleeps.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task RequestsPerSecond_AnonymousOverLimit_429InEachProtocolShapeWithRetryAfter()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(time, grpc: false, "Maas:Limits:RequestsPerSecond=1");
        var client = server.Client;

        Assert.Equal(HttpStatusCode.OK, (await Json.GetAsync(client, "/v2")).Status);

        using (var refused = await client.GetAsync("/v2"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("Rate limit", (await Json.ReadAsync(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using (var openAi = await client.GetAsync("/v1/models"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, openAi.StatusCode);
            Assert.True(openAi.Headers.Contains("Retry-After"));
            Assert.Equal("rate_limit_error", (await Json.ReadAsync(openAi)).GetProperty("error").GetProperty("type").GetString());
        }

        using (var admin = await client.GetAsync("/api/models"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, admin.StatusCode);
            Assert.Equal("application/problem+json", admin.Content.Headers.ContentType?.MediaType);
            Assert.Equal(429, (await Json.ReadAsync(admin)).GetProperty("status").GetInt32());
        }

        // Probes are never throttled.
        Assert.Equal(HttpStatusCode.OK, (await Json.GetAsync(client, "/v2/health/live")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Json.GetAsync(client, "/v2/health/ready")).Status);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await Json.GetAsync(client, "/v2")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Json.GetAsync(client, "/v2")).Status);
    }

    [Fact]
    public async Task RequestsPerSecond_KeysWithOwnLimits_CountedSeparately()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(time, grpc: false, "Maas:Limits:RequestsPerSecond=1");

        Assert.Equal(new[] { 200, 200, 200, 429 }, await BurstAsync(server.Client, 4, ("a", "3")));
        Assert.Equal(new[] { 200, 429 }, await BurstAsync(server.Client, 2, ("b", null)));
        Assert.Equal(new[] { 200, 429 }, await BurstAsync(server.Client, 2, null));

        // Key a's refusal says when its next request fits: a third of a second, rounded up to whole seconds.
        using var request = Request("/v2", ("a", "3"));
        using var refused = await server.Client.SendAsync(request);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new[] { 200, 200, 200, 429 }, await BurstAsync(server.Client, 4, ("a", "3")));
    }

    [Fact]
    public async Task RequestsPerSecond_NotConfigured_NoLimit()
    {
        await using var server = await StartAsync(new FakeTimeProvider(), grpc: false);

        Assert.All(await BurstAsync(server.Client, 30, null), status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task RequestsPerSecond_GrpcOverLimit_ResourceExhaustedWithRetryPushback()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(time, grpc: true, "Maas:Limits:RequestsPerSecond=0.5");
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress!);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        Assert.True((await client.ServerLiveAsync(new ServerLiveRequest())).Live);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.ServerLiveAsync(new ServerLiveRequest()));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Rate limit", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("2000", refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await client.ServerLiveAsync(new ServerLiveRequest())).Live);
    }

    internal static Task<MaasTestServer> StartAsync(FakeTimeProvider time, bool grpc, params string[] settings) =>
        MaasTestServer.StartAsync(settings: settings, grpc: grpc, services: services =>
        {
            services.AddSingleton(new LimitsClock(time));
            TestClaims.Register(services);
        });

    internal static HttpRequestMessage Request(string path, (string Key, string? Rps)? key, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (key is { } k)
        {
            request.Headers.Add(TestClaims.KeyHeader, k.Key);
            if (k.Rps is not null)
            {
                request.Headers.Add(TestClaims.RpsHeader, k.Rps);
            }
        }

        return request;
    }

    private static async Task<int[]> BurstAsync(HttpClient client, int count, (string Key, string? Rps)? key)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            using var request = Request("/v2", key);
            using var response = await client.SendAsync(request);
            statuses[i] = (int)response.StatusCode;
        }

        return statuses;
    }
}
