namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/keys</c>.</summary>
internal sealed record ApiKeyList(IReadOnlyList<ApiKeyInfo>? Keys);
