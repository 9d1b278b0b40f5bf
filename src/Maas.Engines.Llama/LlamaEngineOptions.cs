namespace Maas.Engines.Llama;

/// <summary>llama.cpp settings; bound from <c>Maas:Llama</c>.</summary>
public sealed class LlamaEngineOptions
{
    /// <summary>Threads llama.cpp uses per decode; 0 picks 1 on machines with 2 cores or fewer (OpenMP threads
    /// busy-wait and fight the server's own threads there), else the core count.</summary>
    public int Threads { get; set; }
}
