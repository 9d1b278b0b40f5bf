using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Batching;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>The raw <c>tensor</c> task: tensors pass through to the engine, through the version's batch queue.</summary>
/// <remarks>Requests that agree on everything but their first dimension are concatenated along it when the model's
/// inputs and outputs all have a variable first dimension (<see cref="TensorBatchExecutor"/>); other models run one
/// request per engine call through the same queue. The manifest's post-processing steps (softmax, top-K, labels) run on
/// each request's own outputs after the engine call, on the caller's thread (<see cref="TensorPostProcessor"/>).</remarks>
internal sealed class TensorPipeline : IInferencePipeline, IClassifierPipeline
{
    private readonly ITensorModel _model;
    private readonly TensorBatchExecutor _executor;
    private readonly BatchQueue<TensorBatchRequest, InferenceResult> _queue;
    private readonly TensorPostProcessor _post;

    public TensorPipeline(ITensorModel model, BatchingContext batching)
        : this(model, new ModelManifest(), new Dictionary<string, string>(), batching)
    {
    }

    public TensorPipeline(ITensorModel model, ModelManifest manifest, IReadOnlyDictionary<string, string> files, BatchingContext batching)
    {
        _model = model;
        _post = TensorPostProcessor.Create(manifest, model.Outputs, files);
        _executor = new TensorBatchExecutor(model);
        _queue = batching.CreateQueue(_executor);
    }

    public ClassifierInfo? Classifier => _post.Classifier;

    public IReadOnlyList<TensorSpec> Inputs => _model.Inputs;

    public IReadOnlyList<TensorSpec> Outputs => _model.Outputs;

    public PipelineLoad Load => _queue.Load;

    public long MemoryBytes => _model.MemoryBytes;

    /// <summary>Batch size, delay, queue, timeout and instances apply live; threads are baked into the engine's sessions.</summary>
    public bool TryApply(DeploymentSettings settings) => _queue.TryApply(settings);

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var result = await _queue.EnqueueAsync(_executor.Describe(request), cancellationToken).ConfigureAwait(false);
        _post.Apply(result);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
    }
}
