using Maas.Registry.Abstractions;

namespace Maas.Server.Admin;

/// <summary><c>GET /api/models</c>.</summary>
public sealed record ModelListResponse(IReadOnlyList<ModelSummary> Models);

/// <summary><c>GET /api/models/{name}</c>: a model, its aliases and all its versions, newest first, with the
/// deployment state of the versions the host holds (loaded, loading, failed or draining).</summary>
public sealed record ModelDetailsResponse(
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, int> Aliases,
    DateTimeOffset CreatedAt,
    IReadOnlyList<ModelVersionInfo> Versions,
    IReadOnlyList<DeploymentDocument> Deployments);

/// <summary><c>PUT /api/models/{name}/aliases/{alias}</c>.</summary>
public sealed record SetAliasRequest(int Version);

/// <summary><c>PATCH /api/models/{name}</c>.</summary>
public sealed record UpdateModelRequest(string? Description, IReadOnlyDictionary<string, string>? Tags);

/// <summary><c>GET /api/audit</c>.</summary>
public sealed record AuditResponse(IReadOnlyList<AuditEntry> Entries);
