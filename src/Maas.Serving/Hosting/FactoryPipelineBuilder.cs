using Maas.Core.Engines;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Hosting;

/// <summary>The production <see cref="IPipelineBuilder"/>: the pipelines of <see cref="PipelineFactory"/>.</summary>
internal sealed class FactoryPipelineBuilder(PipelineFactory factory) : IPipelineBuilder
{
    public IInferencePipeline Create(ILoadedModel model, ModelLoadContext context) => factory.Create(model, context);
}
