using Microsoft.AspNetCore.Http;

namespace Maas.Server.Http;

/// <summary>Endpoint metadata naming the error body a protocol answers with; the status always comes from
/// <see cref="ErrorMapping"/>.</summary>
/// <remarks>Set on each protocol's route group (<c>MaasServer</c>), so a route decides its error shape, not its URL.
/// A request that never reached an endpoint falls back to its path prefix.</remarks>
internal sealed record ErrorShape(string Name)
{
    /// <summary>Open Inference Protocol: <c>{"error": "..."}</c> (v2 and the plain predict API).</summary>
    public static readonly ErrorShape OpenInference = new("open-inference");

    /// <summary>OpenAI: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static readonly ErrorShape OpenAi = new("openai");

    /// <summary>RFC 9457 problem details (admin API).</summary>
    public static readonly ErrorShape Problem = new("problem");

    /// <summary>The shape for <paramref name="context"/>: its endpoint's, else by path.</summary>
    public static ErrorShape For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ErrorShape>() is { } shape)
        {
            return shape;
        }

        var path = context.Request.Path;
        return path.StartsWithSegments("/api") ? Problem : path.StartsWithSegments("/v1") ? OpenAi : OpenInference;
    }
}
