using System.Collections.Concurrent;
using System.Net;
using CsCheck;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Registry;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Property: no request, however broken, gets a 5xx, and the server answers correctly afterwards.</summary>
/// <remarks>
/// CsCheck generates which valid request to start from, which mutation to apply and the noise that drives it, so a
/// failing case shrinks to a small one and replays from the printed seed. 5,000 requests across <c>/v2</c>,
/// <c>/v1</c>, <c>/models</c> and <c>/api</c> against one in-process server take well under a minute on two cores.
/// </remarks>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Requests = 5000;

    [Fact]
    public async Task MutatedRequests_AcrossEveryProtocol_NoServerErrorAndServerStillCorrect()
    {
        await using var server = await MaasTestServer.StartAsync();
        await server.PushAsync(RequestMutator.Model, AddModel.Files(1));
        var infer = $"/v2/models/{RequestMutator.Model}/infer";
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, infer)).Output);

        var statuses = new ConcurrentDictionary<int, int>();
        var families = new ConcurrentDictionary<string, int>();
        var clientErrors = 0;
        var sent = 0;
        var gen = Gen.Select(Gen.Int[0, RequestMutator.Seeds.Length - 1], Gen.Int[0, 11], Gen.Int);
        await gen.SampleAsync(
            async (seed, kind, noise) =>
            {
                var request = RequestMutator.Mutate(seed, kind, noise);
                using var message = request.ToMessage();
                Interlocked.Increment(ref sent);
                families.AddOrUpdate(Family(request.Path), 1, (_, n) => n + 1);
                try
                {
                    using var response = await server.Client.SendAsync(message);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status >= 500)
                    {
                        throw new InvalidOperationException($"{status} for {request}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException) when (request.Mutation == "odd headers")
                {
                    // HttpClient itself refuses some header combinations (Transfer-Encoding with a length, Upgrade).
                    Interlocked.Increment(ref clientErrors);
                }
            },
            iter: Requests,
            threads: 4,
            print: t => RequestMutator.Mutate(t.Item1, t.Item2, t.Item3).ToString());

        output.WriteLine($"sent {sent}; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; families {string.Join(", ", families.Select(f => $"{f.Key}: {f.Value}"))}; refused by the client {clientErrors}");
        Assert.True(sent >= Requests, $"only {sent} requests");
        Assert.All(["/v2", "/v1", "/models", "/api"], family => Assert.True(families.GetValueOrDefault(family) > 200, $"{family}: {families.GetValueOrDefault(family)}"));
        Assert.True(clientErrors < Requests / 20, $"{clientErrors} requests never reached the server");

        // Still alive, and still right.
        await server.AssertLiveAsync();
        Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(server.Client, infer)).Output);
        var (status, models) = await Json.GetAsync(server.Client, "/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == RequestMutator.Model);
        var report = await server.App.Services.GetRequiredService<ModelRegistry>().CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent, $"missing: {string.Join(", ", report.MissingBlobs)}; unreferenced: {string.Join(", ", report.UnreferencedBlobs)}");
    }

    private static string Family(string path)
    {
        foreach (var family in new[] { "/v2", "/v1", "/models", "/api" })
        {
            if (path.StartsWith(family + "/", StringComparison.Ordinal) || path == family)
            {
                return family;
            }
        }

        return "other";
    }
}
