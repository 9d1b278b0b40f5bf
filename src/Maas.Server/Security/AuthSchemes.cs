namespace Maas.Server.Security;

/// <summary>Authentication scheme names.</summary>
internal static class AuthSchemes
{
    /// <summary>The policy scheme requests use: it forwards to <see cref="ApiKey"/> or <see cref="Jwt"/>.</summary>
    public const string Maas = "Maas";

    public const string ApiKey = "MaasApiKey";

    public const string Jwt = "MaasJwt";

    public const string ApiKeyHeader = "x-api-key";
}
