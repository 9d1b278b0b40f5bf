using System.Text.Json;
using System.Text.Json.Nodes;
using Maas.Core.Engines;
using Maas.Core.Errors;

namespace Maas.Server.Admin;

/// <summary>Reads the partial JSON of <c>PUT /api/models/{name}/deployment</c>: a field that is present replaces the
/// stored override, <c>null</c> removes it (back to the server default), an absent field keeps it.</summary>
internal static class DeploymentPatch
{
    private static readonly string[] Known =
        ["instances", "intra_op_threads", "max_batch_size", "max_queue_delay_ms", "max_queue", "request_timeout_ms", "preload", "keep_alive_ms"];

    public static async Task<DeploymentOverrides> ApplyAsync(Stream body, DeploymentOverrides current, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw MaasException.InvalidArgument($"Malformed JSON: {ex.Message}");
        }

        if (node is not JsonObject fields)
        {
            throw MaasException.InvalidArgument(
                "The body must be a JSON object of deployment settings, e.g. {\"max_batch_size\": 16}; known: " + string.Join(", ", Known) + ".");
        }

        var result = current;
        foreach (var (name, value) in fields)
        {
            result = name switch
            {
                "instances" => result with { Instances = Int(name, value) },
                "intra_op_threads" => result with { IntraOpThreads = Int(name, value) },
                "max_batch_size" => result with { MaxBatchSize = Int(name, value) },
                "max_queue" => result with { MaxQueue = Int(name, value) },
                "max_queue_delay_ms" => result with { MaxQueueDelay = Milliseconds(name, value) },
                "request_timeout_ms" => result with { RequestTimeout = Milliseconds(name, value) },
                "keep_alive_ms" => result with { KeepAlive = Milliseconds(name, value) },
                "preload" => result with { Preload = Bool(name, value) },
                _ => throw MaasException.InvalidArgument($"Unknown deployment setting '{name}'; known: {string.Join(", ", Known)}."),
            };
        }

        return result;
    }

    private static int? Int(string name, JsonNode? value) =>
        value is null ? null
        : value is JsonValue v && v.TryGetValue<int>(out var number) ? number
        : throw MaasException.InvalidArgument($"'{name}' must be an integer, or null for the server default.");

    private static TimeSpan? Milliseconds(string name, JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value is JsonValue v && v.TryGetValue<double>(out var ms) && Math.Abs(ms) <= TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        throw MaasException.InvalidArgument($"'{name}' must be a number of milliseconds, or null for the server default.");
    }

    private static bool? Bool(string name, JsonNode? value) =>
        value is null ? null
        : value is JsonValue v && v.TryGetValue<bool>(out var flag) ? flag
        : throw MaasException.InvalidArgument($"'{name}' must be true or false, or null for the server default.");
}
