namespace Maas.Registry.Abstractions;

/// <summary>How a job ended: its final state and what it produced or why it stopped.</summary>
public sealed record JobCompletion(JobState State, string? ResultModel, int? ResultVersion, string? Summary, string? Error)
{
    public static JobCompletion Succeeded(string? model, int? version, string? summary) => new(JobState.Succeeded, model, version, summary, null);

    public static JobCompletion Failed(string error) => new(JobState.Failed, null, null, null, error);

    public static JobCompletion Cancelled(string reason) => new(JobState.Cancelled, null, null, null, reason);

    public static JobCompletion Interrupted(string reason) => new(JobState.Interrupted, null, null, null, reason);
}
