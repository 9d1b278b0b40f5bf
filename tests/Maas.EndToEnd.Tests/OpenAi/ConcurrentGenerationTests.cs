using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Continuous batching seen from outside: concurrent requests give what they give alone, and overload is refused quickly.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed class ConcurrentGenerationTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    [Fact]
    public async Task Completions_EightConcurrentGreedy_MatchSameRequestsOneByOne()
    {
        string[] prompts = ["hello", "world", "the model", "a test", "one two", "three", "yes no yes", "tiny llama token"];
        var oneByOne = new List<string>();
        foreach (var prompt in prompts)
        {
            oneByOne.Add(await CompleteAsync(prompt, 40));
        }

        var together = await Task.WhenAll(prompts.Select(p => CompleteAsync(p, 40)));

        Assert.Equal(oneByOne, together);
        Assert.True(oneByOne.Distinct().Count() > 1, "different prompts should give different texts");
    }

    [Fact]
    public async Task Completions_SixtyFourAtOnce_CompleteOrAreRejectedQuickly()
    {
        const string prompt = "the model is";
        const int maxTokens = 32;
        var expected = await fixture.ReferenceGreedyAsync(prompt, maxTokens);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var body = OpenAiHttp.Completion(Model, prompt, maxTokens);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            await Task.Yield();
            var watch = Stopwatch.StartNew();
            var (status, json) = await Json.PostAsync(fixture.Client, "/v1/completions", body);
            return (Status: status, Body: json, Elapsed: watch.Elapsed);
        }));

        var completed = results.Where(r => r.Status == HttpStatusCode.OK).ToList();
        var rejected = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
        Assert.All(completed, r => Assert.Equal(expected.Text, r.Body.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.True(completed.Count >= LlamaServerFixture.MaxSequences + 16, $"only {completed.Count} of 64 completed");
        Assert.All(rejected, r =>
        {
            Assert.Contains(r.Status, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable });
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(1), $"a rejection took {r.Elapsed}");
            Assert.Equal(JsonValueKind.String, r.Body.GetProperty("error").GetProperty("message").ValueKind);
        });

        // Still serving, and the burst left nothing large behind.
        await fixture.Server.AssertLiveAsync();
        Assert.Equal(expected.Text, await CompleteAsync(prompt, maxTokens));
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(memoryAfter - memoryBefore < 64L << 20, $"managed memory grew by {(memoryAfter - memoryBefore) >> 20} MB");
        Assert.True(Process.GetCurrentProcess().WorkingSet64 - workingSetBefore < 512L << 20, "working set grew by more than 512 MB");
    }

    private async Task<string> CompleteAsync(string prompt, int maxTokens)
    {
        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, maxTokens));
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }
}
