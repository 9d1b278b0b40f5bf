using Maas.Core.Engines;
using Maas.Registry.Abstractions;
using Maas.Serving.Hosting;

namespace Maas.Server.Admin;

/// <summary><c>GET /api/deployments</c>: every version loaded, loading, failed or draining.</summary>
public sealed record DeploymentListResponse(IReadOnlyList<DeploymentDocument> Deployments);

/// <summary>One version as the model host holds it.</summary>
/// <remarks><c>state</c> is <c>ready</c>, <c>loading</c>, <c>failed</c> or <c>unloading</c>; <c>load_ms</c> the load
/// and warm-up time of the serving instance; <c>last_error</c> why the last load failed (while the version waits for a
/// retry at <c>next_retry_at</c>, or while an older instance keeps serving); <c>reloading</c>: a new instance with new
/// settings loads beside the serving one; <c>pinned</c>: an alias or the default route points here, so it is never
/// unloaded for idleness or memory.</remarks>
public sealed record DeploymentDocument(
    string Model,
    int Version,
    string State,
    DeploymentSettingsDocument Settings,
    DateTimeOffset? LoadedAt,
    double? LoadMs,
    long MemoryBytes,
    int InFlight,
    int Queued,
    int Running,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextRetryAt,
    DateTimeOffset? LastUsedAt,
    bool Reloading,
    bool Pinned)
{
    public static DeploymentDocument From(DeploymentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(
            status.Model,
            status.Version,
            status.State.ToString().ToLowerInvariant(),
            DeploymentSettingsDocument.From(status.Settings),
            status.LoadedAt,
            status.LoadDuration?.TotalMilliseconds,
            status.MemoryBytes,
            status.InFlight,
            status.Queued,
            status.Running,
            status.LastError,
            status.LastErrorAt,
            status.NextRetryAt,
            status.LastUsedAt,
            status.Reloading,
            status.Pinned);
    }
}

/// <summary>Effective deployment settings; durations in milliseconds (<c>keep_alive_ms</c> 0 = never unloaded for idleness).</summary>
public sealed record DeploymentSettingsDocument(
    int Instances,
    int IntraOpThreads,
    int MaxBatchSize,
    double MaxQueueDelayMs,
    int MaxQueue,
    double RequestTimeoutMs,
    bool Preload,
    double KeepAliveMs)
{
    public static DeploymentSettingsDocument From(DeploymentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(
            settings.Instances,
            settings.IntraOpThreads,
            settings.MaxBatchSize,
            settings.MaxQueueDelay.TotalMilliseconds,
            settings.MaxQueue,
            settings.RequestTimeout.TotalMilliseconds,
            settings.Preload,
            Math.Max(0, settings.KeepAlive.TotalMilliseconds));
    }
}

/// <summary>A model's stored overrides; an absent field uses the server default (<c>Maas:Serving:Defaults</c>).</summary>
public sealed record DeploymentOverridesDocument(
    int? Instances,
    int? IntraOpThreads,
    int? MaxBatchSize,
    double? MaxQueueDelayMs,
    int? MaxQueue,
    double? RequestTimeoutMs,
    bool? Preload,
    double? KeepAliveMs)
{
    public static DeploymentOverridesDocument From(DeploymentOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new(
            overrides.Instances,
            overrides.IntraOpThreads,
            overrides.MaxBatchSize,
            overrides.MaxQueueDelay?.TotalMilliseconds,
            overrides.MaxQueue,
            overrides.RequestTimeout?.TotalMilliseconds,
            overrides.Preload,
            overrides.KeepAlive?.TotalMilliseconds);
    }
}

/// <summary><c>GET</c>/<c>PUT /api/models/{name}/deployment</c>: the stored overrides and the settings they give.</summary>
public sealed record ModelDeploymentResponse(
    string Model,
    DeploymentOverridesDocument Overrides,
    DeploymentSettingsDocument Effective,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy)
{
    public static ModelDeploymentResponse From(ModelDeployment deployment, DeploymentSettings effective)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return new(
            deployment.Model,
            DeploymentOverridesDocument.From(deployment.Overrides),
            DeploymentSettingsDocument.From(effective),
            deployment.UpdatedAt,
            deployment.UpdatedBy);
    }
}
