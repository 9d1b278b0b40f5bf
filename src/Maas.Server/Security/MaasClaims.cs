namespace Maas.Server.Security;

/// <summary>Claim types the authentication handlers put on the request's principal, read by authorization, rate limits and audit.</summary>
public static class MaasClaims
{
    /// <summary>The API key's id (not its secret), or the token subject for JWT callers.</summary>
    public const string KeyId = "maas:key_id";

    /// <summary>The key's display name, or the token's subject name.</summary>
    public const string Name = "maas:name";

    /// <summary>One of <c>admin</c>, <c>publisher</c>, <c>inference</c>, <c>viewer</c>.</summary>
    public const string Role = "maas:role";

    /// <summary>A model-name pattern the caller may use (one claim per pattern; none = every model).</summary>
    public const string ModelPattern = "maas:model";

    /// <summary>The key's own requests-per-second limit (invariant-culture number); absent = the configured default.</summary>
    public const string RequestsPerSecond = "maas:rps";

    /// <summary>The key's own generated-tokens-per-minute quota (integer); absent = the configured default.</summary>
    public const string TokensPerMinute = "maas:tpm";
}
