using System.Text.Json.Serialization;

namespace Maas.Server.Http;

/// <summary>Open Inference Protocol error: <c>{"error": "..."}</c>.</summary>
internal sealed record V2ErrorBody([property: JsonPropertyName("error")] string Error);

/// <summary>RFC 9457 problem details.</summary>
internal sealed record ProblemBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>OpenAI error envelope.</summary>
internal sealed record OpenAiErrorBody([property: JsonPropertyName("error")] OpenAiError Error);

internal sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
