using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Optimization.Graph;

/// <summary>Reads a pass's options object (snake_case keys) and refuses unknown keys and wrong types with
/// InvalidArgument, so a typo is an error rather than a silently ignored option.</summary>
internal sealed class PassOptionReader
{
    private readonly JsonElement _options;
    private readonly string _method;

    public PassOptionReader(JsonElement options, string method, params string[] knownKeys)
    {
        _method = method;
        if (options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument($"The options of '{method}' must be a JSON object.");
        }

        foreach (var property in options.EnumerateObject())
        {
            if (!knownKeys.Contains(property.Name, StringComparer.Ordinal))
            {
                throw MaasException.InvalidArgument(
                    $"Unknown option '{property.Name}' for '{method}'; known: {string.Join(", ", knownKeys)}.");
            }
        }

        _options = options;
    }

    public bool Bool(string key, bool defaultValue) => Get(key) switch
    {
        null => defaultValue,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Wrong(key, "true or false"),
    };

    public int Int(string key, int defaultValue, int min, int max)
    {
        if (Get(key) is not { } value)
        {
            return defaultValue;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw Wrong(key, $"an integer from {min} to {max}");
    }

    public double Double(string key, double defaultValue, double min, double max)
    {
        if (Get(key) is not { } value)
        {
            return defaultValue;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max
            ? number
            : throw Wrong(key, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a number from {min} to {max}"));
    }

    public IReadOnlyList<string> Strings(string key, IReadOnlyList<string> defaultValue)
    {
        if (Get(key) is not { } value)
        {
            return defaultValue;
        }

        // A comma-separated string is accepted too, as the CLI passes options as text.
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(e => e.GetString()!)]
            : throw Wrong(key, "a list of strings");
    }

    private JsonElement? Get(string key) =>
        _options.ValueKind == JsonValueKind.Object && _options.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private MaasException Wrong(string key, string expected) => MaasException.InvalidArgument($"Option '{key}' of '{_method}' must be {expected}.");
}
