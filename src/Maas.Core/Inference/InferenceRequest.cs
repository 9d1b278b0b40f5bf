using Maas.Core.Tensors;

namespace Maas.Core.Inference;

/// <summary>A protocol-neutral tensor inference request.</summary>
public sealed class InferenceRequest : IDisposable
{
    /// <summary>Client-chosen id, echoed in the response.</summary>
    public string? Id { get; init; }

    public required IReadOnlyList<Tensor> Inputs { get; init; }

    /// <summary>Names of the outputs wanted; null means all.</summary>
    public IReadOnlyList<string>? RequestedOutputs { get; init; }

    /// <summary>Request parameters, passed through to the pipeline and echoed where the protocol does.</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    public void Dispose()
    {
        foreach (var input in Inputs)
        {
            input.Dispose();
        }
    }
}
