using Maas.Core.Engines;

namespace Maas.Serving.Hosting;

/// <summary>What the host holds for one version at one moment (<c>GET /api/deployments</c>).</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Version number.</param>
/// <param name="State">Ready while an instance serves (even while a replacement loads or after one failed); else
/// Loading, Failed or Unloading.</param>
/// <param name="Settings">Effective settings of the serving instance, else of the one loading or that failed.</param>
/// <param name="LoadedAt">When the serving instance became ready.</param>
/// <param name="LoadDuration">How long it took to load and warm up.</param>
/// <param name="MemoryBytes">Memory the serving instance holds (engine's estimate).</param>
/// <param name="InFlight">Requests inside the serving instance (queued or running).</param>
/// <param name="Queued">Requests waiting in its pipeline's queue.</param>
/// <param name="Running">Requests inside an engine call.</param>
/// <param name="LastError">Why the last load of this version failed, until one succeeds.</param>
/// <param name="LastErrorAt">When that load failed.</param>
/// <param name="NextRetryAt">When the failed load is tried again (sooner on the next registry change).</param>
/// <param name="LastUsedAt">When a request last asked for this version.</param>
/// <param name="Reloading">A new instance (new settings) is loading while this one serves.</param>
/// <param name="Pinned">An alias or the model's default route points here: never unloaded for idleness or memory.</param>
public sealed record DeploymentStatus(
    string Model,
    int Version,
    ModelState State,
    DeploymentSettings Settings,
    DateTimeOffset? LoadedAt,
    TimeSpan? LoadDuration,
    long MemoryBytes,
    int InFlight,
    int Queued,
    int Running,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextRetryAt,
    DateTimeOffset? LastUsedAt,
    bool Reloading,
    bool Pinned);
