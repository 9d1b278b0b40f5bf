using Maas.Registry.Abstractions;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Metrics;

/// <summary>What request metrics know about an inference request: its protocol, and the model version it resolved
/// to once the endpoint got that far.</summary>
/// <remarks>Requests that fail before resolving (unknown model, malformed body) are counted without model tags, so
/// a client cannot create a series per made-up name.</remarks>
internal sealed class InferenceRequestFeature(string protocol)
{
    public string Protocol { get; } = protocol;

    public string? Model { get; private set; }

    public int Version { get; private set; }

    /// <summary>Called by a protocol endpoint once the model reference has resolved to a version.</summary>
    public static void SetTarget(HttpContext context, ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(version);
        if (context.Features.Get<InferenceRequestFeature>() is { } feature)
        {
            feature.Model = version.Model;
            feature.Version = version.Version;
        }
    }
}
