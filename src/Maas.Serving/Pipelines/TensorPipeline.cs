using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Batching;

namespace Maas.Serving.Pipelines;

/// <summary>The raw <c>tensor</c> task: tensors pass through to the engine, through the version's batch queue.</summary>
/// <remarks>Requests that agree on everything but their first dimension are concatenated along it when the model's
/// inputs and outputs all have a variable first dimension (<see cref="TensorBatchExecutor"/>); other models run one
/// request per engine call through the same queue.</remarks>
internal sealed class TensorPipeline : IInferencePipeline
{
    private readonly ITensorModel _model;
    private readonly TensorBatchExecutor _executor;
    private readonly BatchQueue<TensorBatchRequest, InferenceResult> _queue;

    public TensorPipeline(ITensorModel model, BatchingContext batching)
    {
        _model = model;
        _executor = new TensorBatchExecutor(model);
        _queue = batching.CreateQueue(_executor);
    }

    public IReadOnlyList<TensorSpec> Inputs => _model.Inputs;

    public IReadOnlyList<TensorSpec> Outputs => _model.Outputs;

    public PipelineLoad Load => _queue.Load;

    public long MemoryBytes => _model.MemoryBytes;

    /// <summary>Batch size, delay, queue, timeout and instances apply live; threads are baked into the engine's sessions.</summary>
    public bool TryApply(DeploymentSettings settings) => _queue.TryApply(settings);

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        await _queue.EnqueueAsync(_executor.Describe(request), cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
    }
}
