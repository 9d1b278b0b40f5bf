using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>Pipelines straight over the fake models; whether they take new settings live is up to the test.</summary>
internal sealed class FakePipelineBuilder : IPipelineBuilder
{
    /// <summary>Decides <see cref="IInferencePipeline.TryApply"/>; by default every change needs a reload.</summary>
    public Func<DeploymentSettings, bool> Accepts { get; set; } = _ => false;

    public List<DeploymentSettings> Applied { get; } = [];

    /// <summary>What every pipeline reports as its admission state.</summary>
    public PipelineLoad Load { get; set; }

    public IInferencePipeline Create(ILoadedModel model, ModelLoadContext context) => new Pipeline(this, (FakeLoadedModel)model);

    private sealed class Pipeline(FakePipelineBuilder owner, FakeLoadedModel model) : IInferencePipeline
    {
        public IReadOnlyList<TensorSpec> Inputs => model.Inputs;

        public IReadOnlyList<TensorSpec> Outputs => model.Outputs;

        public PipelineLoad Load => owner.Load;

        public long MemoryBytes => model.MemoryBytes;

        public bool TryApply(DeploymentSettings settings)
        {
            if (!owner.Accepts(settings))
            {
                return false;
            }

            lock (owner.Applied)
            {
                owner.Applied.Add(settings);
            }

            return true;
        }

        public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
            model.RunAsync(request.Inputs, request.RequestedOutputs, cancellationToken);

        public ValueTask DisposeAsync() => model.DisposeAsync();
    }
}
