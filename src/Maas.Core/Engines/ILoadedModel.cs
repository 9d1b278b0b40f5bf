using Maas.Core.Tensors;

namespace Maas.Core.Engines;

/// <summary>A version loaded into an engine; owns its native handles until disposed.</summary>
public interface ILoadedModel : IAsyncDisposable
{
    /// <summary>The inputs the engine accepts, as the loaded model reports them.</summary>
    IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>The outputs the engine produces.</summary>
    IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Memory the loaded model holds (weights, caches), as the engine estimates it; counted against the
    /// serving memory budget.</summary>
    long MemoryBytes { get; }
}
