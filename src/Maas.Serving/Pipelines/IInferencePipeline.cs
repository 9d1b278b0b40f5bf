using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>Pre-processing, engine and post-processing for one loaded version, as protocols see it.</summary>
public interface IInferencePipeline : IAsyncDisposable
{
    /// <summary>Inputs the pipeline accepts (for an embeddings model: a BYTES tensor <c>text</c>).</summary>
    IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Outputs the pipeline produces (for an embeddings model: FP32 <c>embedding</c> [N, D]).</summary>
    IReadOnlyList<TensorSpec> Outputs { get; }

    ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default);
}
