using Maas.Core.Engines;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Hosting;

/// <summary>Wraps a loaded model in the pipeline its task needs; the host's seam to <see cref="PipelineFactory"/>, so the
/// host can be tested with fake pipelines.</summary>
internal interface IPipelineBuilder
{
    IInferencePipeline Create(ILoadedModel model, ModelLoadContext context);
}
