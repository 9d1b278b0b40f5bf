namespace Maas.Core.Engines;

/// <summary>How a version runs (configuration, not part of the version): threads and concurrency.</summary>
public sealed record DeploymentSettings
{
    /// <summary>Threads one inference may use inside the engine; 0 lets the engine choose. Default 1, which is
    /// fastest at batch 1 on small machines because requests already run in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Inferences that may run on one loaded model at once; more wait in a bounded queue.</summary>
    public int MaxConcurrency { get; init; } = Math.Max(1, Environment.ProcessorCount);
}
