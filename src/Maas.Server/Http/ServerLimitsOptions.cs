namespace Maas.Server.Http;

/// <summary>Request limits, bound from <c>Maas:Limits</c>. Every limit is explicit; exceeding one is a 4xx, never a crash.</summary>
/// <remarks>
/// Body, JSON, tensor, string and token limits answer 400/413 in the protocol's error shape; header limits are
/// Kestrel's own (431); a request that runs past its time limit answers 504; rate limits and token quotas 429 with
/// <c>Retry-After</c>. See docs/security.md for which threat each answers.
/// </remarks>
public sealed class ServerLimitsOptions
{
    /// <summary>Largest body of an inference request (<c>/v2</c>, <c>/models</c>, <c>/v1</c>): 16 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest upload through the admin API (<c>/api</c>): 8 GiB.</summary>
    public long MaxUploadBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Most elements in one request tensor.</summary>
    public int MaxTensorElements { get; set; } = 16 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted in an inference body (1–64; System.Text.Json's own cap of 64 bounds every other body).</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Longest text field (a prompt, all of a chat's message contents together, a stop string), in characters: 1 Mi.</summary>
    public int MaxStringLength { get; set; } = 1024 * 1024;

    /// <summary>Most prompt tokens a generation request may send: 128 Ki (the model's context length applies as well, and
    /// is usually the tighter bound; lower this to cap long prompts on long-context models).</summary>
    public int MaxPromptTokens { get; set; } = 128 * 1024;

    /// <summary>Largest <c>max_tokens</c> a generation request may ask for: 128 Ki (the model's context applies as well).</summary>
    public int MaxCompletionTokens { get; set; } = 128 * 1024;

    /// <summary>Most bytes of all request headers together (Kestrel answers 431 past it): 32 KiB.</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    /// <summary>Most request headers (Kestrel answers 431 past it).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Longest request line (method, path and query), in bytes (Kestrel answers 414 past it).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Time a client has to send all its headers, in seconds (slow-header clients are cut off).</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 30;

    /// <summary>Longest an inference request (<c>/v2</c>, <c>/models</c>, <c>/v1</c>, gRPC) may take, streaming included, in seconds; 504 past it. 0 = no limit.</summary>
    public double RequestTimeoutSeconds { get; set; } = 300;

    /// <summary>Longest an admin request (<c>/api</c>, uploads included) may take, in seconds. 0 = no limit.</summary>
    public double AdminRequestTimeoutSeconds { get; set; } = 3600;

    /// <summary>Default requests per second per API key (anonymous callers: per address); a key's own limit wins. 0 = off.</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Default generated tokens per minute per API key (prompt plus completion, for <c>/v1/completions</c> and
    /// <c>/v1/chat/completions</c>); a key's own quota wins. 0 = off.</summary>
    public long TokensPerMinute { get; set; }

    /// <summary>What is wrong with these values, or null when they are usable.</summary>
    internal string? Problem()
    {
        if (MaxRequestBodyBytes <= 0 || MaxUploadBytes <= 0 || MaxTensorElements <= 0)
        {
            return "Maas:Limits body and tensor limits must be positive.";
        }

        if (MaxStringLength <= 0 || MaxPromptTokens <= 0 || MaxCompletionTokens <= 0)
        {
            return "Maas:Limits string and token limits must be positive.";
        }

        if (MaxJsonDepth is < 1 or > 64)
        {
            return "Maas:Limits:MaxJsonDepth must be between 1 and 64.";
        }

        if (MaxRequestHeadersTotalBytes <= 0 || MaxRequestHeaderCount <= 0 || MaxRequestLineBytes <= 0 || RequestHeadersTimeoutSeconds <= 0)
        {
            return "Maas:Limits header limits must be positive.";
        }

        if (RequestTimeoutSeconds < 0 || AdminRequestTimeoutSeconds < 0)
        {
            return "Maas:Limits request timeouts must be 0 (off) or positive.";
        }

        return RequestsPerSecond < 0 || TokensPerMinute < 0 || double.IsNaN(RequestsPerSecond)
            ? "Maas:Limits:RequestsPerSecond and TokensPerMinute must be 0 (off) or positive."
            : null;
    }
}
