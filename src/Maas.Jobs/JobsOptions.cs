namespace Maas.Jobs;

/// <summary>The job runner's limits, bound from <c>Maas:Jobs</c>.</summary>
/// <remarks>
/// CPU-heavy jobs (quantization, calibration, measuring) each keep every core busy, so by default one runs at a time;
/// the rest wait in first-in, first-out order. Other jobs run in a separate lane with their own limit.
/// </remarks>
public sealed class JobsOptions
{
    /// <summary>CPU-heavy jobs running at once (<c>Maas:Jobs:MaxCpuHeavy</c>).</summary>
    public int MaxCpuHeavy { get; set; } = 1;

    /// <summary>Other jobs running at once (<c>Maas:Jobs:MaxOther</c>).</summary>
    public int MaxOther { get; set; } = 2;

    /// <summary>Jobs waiting per lane before a submission is refused with 429 (<c>Maas:Jobs:MaxQueued</c>).</summary>
    public int MaxQueued { get; set; } = 100;

    /// <summary>Shortest time between two progress writes of a job to the database (<c>Maas:Jobs:ProgressInterval</c>);
    /// watchers get every change live regardless.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Where jobs get their scratch folders; defaults to <c>jobs/</c> in the registry's data folder. Emptied at
    /// start-up (what is there belongs to a stopped process).</summary>
    public string? WorkDirectory { get; set; }
}
