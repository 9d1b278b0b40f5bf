namespace Maas.Engines.Llama;

/// <summary>llama.cpp settings; bound from <c>Maas:Llama</c>.</summary>
/// <remarks>
/// One loaded model owns one llama.cpp context whose KV cache is shared by all of its sequences
/// (llama.cpp's unified KV cache), so <see cref="ContextSize"/> is a budget for all concurrent requests
/// together, not a per-request limit. Each sequence is also limited to the model's trained context length.
/// </remarks>
public sealed class LlamaEngineOptions
{
    /// <summary>Threads llama.cpp uses per decode; 0 picks 1 on machines with 2 cores or fewer (OpenMP threads
    /// busy-wait and fight the server's own threads there), else the core count.</summary>
    /// <remarks>With more than one thread, start the process with <c>OMP_WAIT_POLICY=PASSIVE</c>: OpenMP reads it
    /// once when the native library loads, so setting it from inside the process has no effect.</remarks>
    public int Threads { get; set; }

    /// <summary>KV-cache cells shared by all sequences of one loaded model. Default 4096.</summary>
    /// <remarks>Capped at the model's trained context length times <see cref="MaxSequences"/>, since no more
    /// could ever be used; llama.cpp then rounds it up to a multiple of 256, and the loaded model reports the
    /// real figure as <c>TextGeneratorInfo.KvCacheCapacity</c>. Memory grows linearly with it
    /// (per cell: 2 × layers × KV width × 2 bytes).</remarks>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Sequences (requests) one loaded model decodes together in one step. Default 8.</summary>
    public int MaxSequences { get; set; } = 8;

    /// <summary>Tokens llama.cpp computes in one physical micro-batch (<c>n_ubatch</c>). Default 512.</summary>
    /// <remarks>A step is always one <c>llama_decode</c> call whatever its size (the logical batch is the whole
    /// context); a long prompt is split into micro-batches of this size inside llama.cpp.</remarks>
    public int BatchSize { get; set; } = 512;

    /// <summary>Threads actually used: <see cref="Threads"/>, or the default for this machine when it is 0.</summary>
    internal int EffectiveThreads => Threads > 0 ? Threads : DefaultThreads(Environment.ProcessorCount);

    internal static int DefaultThreads(int processorCount) => processorCount <= 2 ? 1 : processorCount;
}
