using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>Pre-processing, admission (the batch queue), engine and post-processing for one loaded version, as
/// protocols see it.</summary>
/// <remarks>
/// A pipeline owns its admission path: requests wait in one bounded queue per loaded version (429 when full, 504 when
/// their deadline passes while queued, removed when their caller cancels) and are merged into engine calls according
/// to the deployment settings it was created with.
/// </remarks>
public interface IInferencePipeline : IAsyncDisposable
{
    /// <summary>Inputs the pipeline accepts (for an embeddings model: a BYTES tensor <c>text</c>).</summary>
    IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Outputs the pipeline produces (for an embeddings model: FP32 <c>embedding</c> [N, D]).</summary>
    IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Requests queued and running right now (read by <c>GET /api/deployments</c> and the metrics).</summary>
    PipelineLoad Load { get; }

    /// <summary>Memory held by the loaded model(s) behind this pipeline.</summary>
    long MemoryBytes { get; }

    /// <summary>Applies new deployment settings to the running pipeline (batch size, queue delay, queue length,
    /// timeout...). Returns false when a setting can only take effect by loading the version again (e.g. threads or
    /// sequences baked into a native session); the host then loads a new instance and swaps.</summary>
    bool TryApply(DeploymentSettings settings);

    ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A pipeline's admission state at one moment.</summary>
/// <param name="Queued">Requests waiting in the queue.</param>
/// <param name="Running">Requests inside an engine call.</param>
public readonly record struct PipelineLoad(int Queued, int Running);
