namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/models</c>.</summary>
internal sealed record ModelList(IReadOnlyList<ModelSummary> Models);
