using System.Text.Json;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary>Reads a whole <c>text/event-stream</c> response into (event name, JSON data) pairs.</summary>
internal static class ServerSentEvents
{
    public static async Task<(string ContentType, List<(string Event, JsonElement Data)> Events)> ReadAllAsync(HttpClient client, string path)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}");
        var text = await response.Content.ReadAsStringAsync(cts.Token);
        var events = new List<(string, JsonElement)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var name = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            var data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            using var json = JsonDocument.Parse(data);
            events.Add((name, json.RootElement.Clone()));
        }

        return (response.Content.Headers.ContentType?.MediaType ?? string.Empty, events);
    }
}
