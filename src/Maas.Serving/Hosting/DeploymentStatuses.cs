namespace Maas.Serving.Hosting;

/// <summary>Builds the <see cref="DeploymentStatus"/> snapshots of the host's slots and draining instances.</summary>
internal static class DeploymentStatuses
{
    public static DeploymentStatus? Of(VersionSlot slot, bool pinned)
    {
        var serving = slot.Serving;
        var loading = slot.Loading;
        var failure = slot.Failure;
        if (serving is not null)
        {
            return Of(serving, serving.State, slot, failure, loading is not null, pinned);
        }

        if (loading is not null)
        {
            return Of(loading.Deployment, ModelState.Loading, slot, failure, false, pinned);
        }

        return failure is null
            ? null
            : new DeploymentStatus(
                slot.Model, slot.Number, ModelState.Failed, failure.Settings, null, null, 0, 0, 0, 0,
                failure.Reason, failure.At, failure.RetryAt, slot.LastUsed, false, pinned);
    }

    public static DeploymentStatus Of(Deployment deployment, ModelState state, VersionSlot? slot, LoadFailure? failure, bool reloading, bool pinned) =>
        new(
            deployment.Version.Model,
            deployment.Version.Version,
            state,
            deployment.Settings,
            deployment.LoadedAt,
            deployment.LoadDuration,
            deployment.MemoryBytes,
            deployment.InFlight,
            deployment.Waiting,
            deployment.Running,
            failure?.Reason,
            failure?.At,
            failure?.RetryAt,
            slot?.LastUsed,
            reloading,
            pinned);
}
