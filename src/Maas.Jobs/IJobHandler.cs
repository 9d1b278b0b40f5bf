namespace Maas.Jobs;

/// <summary>Runs one kind of job (<c>quantize</c> now; <c>prune</c>, <c>merge</c>, <c>convert</c>, <c>train</c>,
/// <c>evaluate</c> later). Handlers are registered in DI; the runner finds one by <see cref="Kind"/>.</summary>
/// <remarks>
/// A handler that produces a version registers it in one registry push at its very end (with lineage naming the job
/// and the report), so a crash or a cancel before that leaves nothing registered. Files it writes go under
/// <see cref="JobContext.WorkDirectory"/>, which the runner deletes when the job ends, however it ends.
/// </remarks>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs, e.g. <c>quantize</c>.</summary>
    string Kind { get; }

    /// <summary>True when the job keeps cores busy (the runner runs a bounded number of those at a time).</summary>
    bool IsCpuHeavy => true;

    /// <summary>Checks the parameters and what they name (the model version exists, the method applies to its
    /// format) before the job is stored, so bad input is a 4xx answer and no job.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">InvalidArgument or NotFound with the reason.</exception>
    Task ValidateAsync(JobRequest request, CancellationToken cancellationToken);

    /// <summary>Does the work, reporting progress through <paramref name="context"/>; throws
    /// <see cref="OperationCanceledException"/> when cancelled and <see cref="Maas.Core.Errors.MaasException"/>
    /// (or anything else) when it fails, with the reason in the message.</summary>
    Task<JobResult> RunAsync(JobContext context, CancellationToken cancellationToken);
}
