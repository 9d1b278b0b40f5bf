namespace Maas.Serving;

/// <summary>Limits and defaults for running models; bound from the <c>Maas:Serving</c> configuration section.</summary>
public sealed class ServingOptions
{
    /// <summary>Inferences running at once on one loaded version; default: the number of cores.</summary>
    public int MaxConcurrencyPerModel { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Requests that may wait for a slot on one loaded version; more are rejected with 429.</summary>
    public int MaxQueuePerModel { get; set; } = 64;

    /// <summary>ONNX Runtime intra-op threads per session. 1 is fastest at batch 1 when requests run in parallel.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Most texts in one embeddings request.</summary>
    public int MaxBatchTexts { get; set; } = 256;

    /// <summary>How long a request waits for its model to finish loading before 503.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Load the default version of every registered model at start-up.</summary>
    public bool PreloadModels { get; set; } = true;
}
