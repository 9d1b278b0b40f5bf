using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>The raw <c>tensor</c> task: tensors pass straight through to the engine.</summary>
internal sealed class TensorPipeline(ITensorModel model) : IInferencePipeline
{
    public IReadOnlyList<TensorSpec> Inputs => model.Inputs;

    public IReadOnlyList<TensorSpec> Outputs => model.Outputs;

    public PipelineLoad Load => default;

    public long MemoryBytes => model.MemoryBytes;

    public bool TryApply(DeploymentSettings settings) => false;

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        model.RunAsync(request.Inputs, request.RequestedOutputs, cancellationToken);

    public ValueTask DisposeAsync() => model.DisposeAsync();
}
