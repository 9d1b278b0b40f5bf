using System.Text.Encodings.Web;
using System.Text.Json;
using Maas.Server.Protocols.V2;

namespace Maas.Server.Http;

/// <summary>How the server writes JSON: error messages and names as people wrote them (<c>model 'x'</c>, not <c>\u0027x\u0027</c>).</summary>
/// <remarks>
/// The default encoder escapes HTML-sensitive characters and everything outside Basic Latin, which only matters when
/// JSON is pasted into an HTML page. These bodies go out as <c>application/json</c>, so the relaxed encoder is safe,
/// and what a client prints is what the server said. JSON's own rules (quotes, backslashes, control characters) still apply.
/// </remarks>
internal static class ServerJson
{
    /// <summary>Options for every <see cref="Utf8JsonWriter"/> that writes a response.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Error bodies of every protocol.</summary>
    public static ServerJsonContext Errors { get; } = new(Relaxed());

    /// <summary>Open Inference Protocol metadata documents.</summary>
    public static V2JsonContext V2 { get; } = new(Relaxed());

    /// <summary>Applies the relaxed encoder to <paramref name="options"/> (ASP.NET Core's own JSON results).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    private static JsonSerializerOptions Relaxed() => new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
