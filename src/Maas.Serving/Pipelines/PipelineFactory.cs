using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Pipelines;

/// <summary>Builds the pipeline a manifest's task asks for around a loaded model.</summary>
internal sealed class PipelineFactory(IOptions<ServingOptions> options)
{
    public IInferencePipeline Create(ILoadedModel model, ModelLoadContext context)
    {
        if (model is not ITensorModel tensorModel)
        {
            throw MaasException.InvalidArgument($"{context.Key}: task '{context.Manifest.Task}' is not served for this engine yet.");
        }

        return context.Manifest.Task switch
        {
            ModelTasks.Embeddings => new EmbeddingPipeline(tensorModel, context.Manifest, context.Files, options.Value.MaxBatchTexts),
            ModelTasks.Tensor or ModelTasks.Classification => new TensorPipeline(tensorModel),
            var task => throw MaasException.InvalidArgument($"{context.Key}: task '{task}' is not served yet."),
        };
    }
}
