namespace Maas.Engines.Llama;

/// <summary>llama.cpp settings; bound from <c>Maas:Llama</c>.</summary>
/// <remarks>
/// One loaded model owns one llama.cpp context whose KV cache is shared by all of its sequences
/// (llama.cpp's unified KV cache), so <see cref="ContextSize"/> is a budget for all concurrent requests
/// together, not a per-request limit. Each sequence is also limited to the model's trained context length.
/// Threads and sequences are per-model deployment settings (<c>DeploymentSettings.IntraOpThreads</c> and
/// <c>MaxBatchSize</c>, defaults under <c>Maas:Serving:Defaults</c>), not engine options.
/// </remarks>
public sealed class LlamaEngineOptions
{
    /// <summary>KV-cache cells shared by all sequences of one loaded model. Default 4096.</summary>
    /// <remarks>Capped at the model's trained context length times the sequences (the deployment's max batch size), since no more
    /// could ever be used; llama.cpp then rounds it up to a multiple of 256, and the loaded model reports the
    /// real figure as <c>TextGeneratorInfo.KvCacheCapacity</c>. Memory grows linearly with it
    /// (per cell: 2 × layers × KV width × 2 bytes).</remarks>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Tokens llama.cpp computes in one physical micro-batch (<c>n_ubatch</c>). Default 512.</summary>
    /// <remarks>A step is always one <c>llama_decode</c> call whatever its size (the logical batch is the whole
    /// context); a long prompt is split into micro-batches of this size inside llama.cpp.</remarks>
    public int BatchSize { get; set; } = 512;

    /// <summary>Prefix caching: reuse the KV cells of a prompt prefix another sequence already computed. Default on.</summary>
    /// <remarks>Finished sequences keep their cells (up to <see cref="PrefixCacheSequences"/> of them) and are indexed
    /// by their tokens; a new prompt that starts with the same tokens copies those cells and decodes only the rest,
    /// so a long shared system prompt or the earlier turns of a chat are computed once. Cached prefixes use cells
    /// of <see cref="ContextSize"/> no running sequence needs and are dropped least recently used first.</remarks>
    public bool PrefixCache { get; set; } = true;

    /// <summary>Finished sequences kept for their prefixes per loaded model (each holds a llama.cpp sequence id of
    /// its own, beyond the deployment's max batch size; together at most 256). Default 8.</summary>
    public int PrefixCacheSequences { get; set; } = 8;
}
