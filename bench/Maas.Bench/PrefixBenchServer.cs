using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Maas.Bench;

/// <summary>A server of the prefix-cache benchmark and a client that streams <c>/v1/chat/completions</c>.</summary>
internal sealed class PrefixBenchServer(string name, WebApplication app) : IAsyncDisposable
{
    private readonly HttpClient _client = new() { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };

    public string Name { get; } = name;

    public async Task<Ttft> ChatAsync(string system, string user, int maxTokens)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "bench-prefix",
            ["messages"] = new[]
            {
                new Dictionary<string, string> { ["role"] = "system", ["content"] = system },
                new Dictionary<string, string> { ["role"] = "user", ["content"] = user },
            },
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true },
        });
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), Encoding.UTF8);
        long? first = null;
        long last = 0;
        int prompt = 0, cached = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            using var document = JsonDocument.Parse(line.AsMemory(6));
            var root = document.RootElement;
            if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0)
            {
                last = now;
                if (first is null && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 })
                {
                    first = now;
                }
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                prompt = usage.GetProperty("prompt_tokens").GetInt32();
                cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
            }
        }

        return new Ttft(Stopwatch.GetElapsedTime(started, first ?? last).TotalMilliseconds, prompt, cached);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
