using System.Globalization;
using Maas.Jobs;
using Maas.Registry.Artifacts;

namespace Maas.Server.Admin;

/// <summary>The <c>rotate-storage</c> job: re-encrypts every stored artifact with the active storage key, reporting
/// blobs done out of the total as its progress.</summary>
/// <remarks>Takes no parameters. Submitting it where encryption at rest is not configured is refused (409), no job.</remarks>
internal sealed class RotateStorageJobHandler(IStorageRotation rotation) : IJobHandler
{
    public const string JobKind = "rotate-storage";

    public string Kind => JobKind;

    // Disk and AES-NI bound, not the cores quantization needs.
    public bool IsCpuHeavy => false;

    public Task ValidateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        rotation.EnsureAvailable();
        return Task.CompletedTask;
    }

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var progress = new Progress(context);
        var result = await rotation.RotateAsync(progress, cancellationToken).ConfigureAwait(false);
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{result.Total} blob(s) under storage key '{result.KeyId}': {result.Rewritten} re-encrypted, {result.AlreadyCurrent} already current")
            + (result.Gone > 0 ? string.Create(CultureInfo.InvariantCulture, $", {result.Gone} deleted meanwhile") : string.Empty);
        return new JobResult(null, null, summary);
    }

    /// <summary>Reports synchronously (no SynchronizationContext hop), in the order the rotation reports.</summary>
    private sealed class Progress(JobContext context) : IProgress<StorageRotationProgress>
    {
        public void Report(StorageRotationProgress value) =>
            context.ReportProgress(
                value.Total == 0 ? 1 : (double)value.Done / value.Total,
                string.Create(CultureInfo.InvariantCulture, $"re-encrypting blobs ({value.Done}/{value.Total})"));
    }
}
