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

    /// <summary>Sequences one text generator decodes together (continuous batching); also capped by the loaded context.</summary>
    public int MaxSequencesPerGenerator { get; set; } = 8;

    /// <summary>Generation requests that may wait for a sequence slot or KV-cache room; more are rejected with 429.</summary>
    public int MaxGenerationQueue { get; set; } = 64;

    /// <summary>Longest a generation may take, queueing included; past it the request fails with 504.</summary>
    public TimeSpan GenerationDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Token limit of a generation that names none (shortened to what fits the context).</summary>
    public int DefaultMaxTokens { get; set; } = 512;
}
