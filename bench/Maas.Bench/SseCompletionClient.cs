using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Maas.Bench;

/// <summary>Streams one <c>POST /v1/completions</c> and times each server-sent event as the client receives it.</summary>
/// <remarks>
/// Every event carrying text counts as an arrival. The server holds back a token whose bytes do not yet form
/// complete UTF-8 (or may end a stop text), so arrivals can be fewer than tokens; the token count comes from the
/// usage the last chunk reports (<c>stream_options.include_usage</c>).
/// </remarks>
internal sealed class SseCompletionClient(HttpClient client, string model)
{
    /// <summary>Streams one completion of at most <paramref name="maxTokens"/> tokens; <paramref name="sampling"/> holds
    /// extra request fields (e.g. temperature, top_p) that replace the greedy defaults.</summary>
    public async Task<StreamTiming> GenerateAsync(string prompt, int maxTokens, IReadOnlyDictionary<string, object>? sampling = null, CancellationToken cancellationToken = default)
    {
        var fields = new Dictionary<string, object>
        {
            ["model"] = model,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true },
        };
        foreach (var (key, value) in sampling ?? new Dictionary<string, object>())
        {
            fields[key] = value;
        }

        var body = JsonSerializer.Serialize(fields);
        var timing = new StreamTiming();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            var data = line.AsMemory(6);
            if (data.Span.SequenceEqual("[DONE]"))
            {
                break;
            }

            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"Stream failed: {error}");
            }

            if (root.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 })
            {
                timing.Arrivals.Add(now);
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                timing.Tokens = usage.GetProperty("completion_tokens").GetInt32();
                timing.PromptTokens = usage.GetProperty("prompt_tokens").GetInt32();
            }
        }

        timing.Finished = Stopwatch.GetTimestamp();
        return timing;
    }
}
