using System.Text.Json;

namespace Maas.Cli.Client;

/// <summary>Turns an error response into the one line a user should read.</summary>
/// <remarks>
/// Admin routes answer with problem details, inference routes with <c>{"error": ...}</c> (a string, or an object
/// with a <c>message</c> in the OpenAI shape). Anything else (a proxy's HTML page, an empty body) falls back to the
/// body text or the status line, so the user always sees something.
/// </remarks>
internal static class ApiErrorReader
{
    private const int MaxRawLength = 300;

    public static async Task<string> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return FromBody(body) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
    }

    /// <summary>The message carried by <paramref name="body"/>, or null when it carries none.</summary>
    public static string? FromBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? FromObject(document.RootElement) : null;
        }
        catch (JsonException)
        {
            var text = body.Trim();
            return text.Length <= MaxRawLength ? text : text[..MaxRawLength] + "…";
        }
    }

    private static string? FromObject(JsonElement root)
    {
        // Problem details: "detail" names this occurrence, "title" only the category, so detail wins.
        if (GetString(root, "detail") is { } detail)
        {
            return detail;
        }

        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(error.GetString()))
            {
                return error.GetString();
            }

            if (error.ValueKind == JsonValueKind.Object && GetString(error, "message") is { } message)
            {
                return message;
            }
        }

        return GetString(root, "title");
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;
}
