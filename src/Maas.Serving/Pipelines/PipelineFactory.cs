using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Serving.Batching;
using Maas.Serving.Generation;
using Maas.Serving.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Pipelines;

/// <summary>Builds the pipeline a manifest's task asks for around a loaded model.</summary>
internal sealed class PipelineFactory(
    IOptions<ServingOptions> options,
    GenerationMetrics generationMetrics,
    ServingMetrics servingMetrics,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    public IInferencePipeline Create(ILoadedModel model, ModelLoadContext context)
    {
        var batching = BatchingContext.For(context.Key, context.Settings, servingMetrics, timeProvider, Environment.ProcessorCount);
        if (model is ITextGenerator generator)
        {
            return context.Manifest.Task == ModelTasks.TextGeneration
                ? CreateGeneration(generator, context)
                : throw MaasException.InvalidArgument($"{context.Key}: a text generator serves task '{ModelTasks.TextGeneration}', not '{context.Manifest.Task}'.");
        }

        if (model is ITextEmbedder embedder)
        {
            return context.Manifest.Task == ModelTasks.Embeddings
                ? new TextEmbedderPipeline(embedder, options.Value.MaxBatchTexts, batching)
                : throw MaasException.InvalidArgument($"{context.Key}: a text embedder serves task '{ModelTasks.Embeddings}', not '{context.Manifest.Task}'.");
        }

        if (model is not ITensorModel tensorModel)
        {
            throw MaasException.InvalidArgument($"{context.Key}: task '{context.Manifest.Task}' is not served for this engine yet.");
        }

        return context.Manifest.Task switch
        {
            ModelTasks.Embeddings => new EmbeddingPipeline(tensorModel, context.Manifest, context.Files, options.Value.MaxBatchTexts, batching),
            ModelTasks.Tensor or ModelTasks.Classification => new TensorPipeline(tensorModel, context.Manifest, context.Files, batching),
            ModelTasks.ImageEmbeddings => new ImageEmbeddingPipeline(tensorModel, context.Manifest, context.Files, options.Value.Images, batching),
            var task => throw MaasException.InvalidArgument($"{context.Key}: task '{task}' is not served yet."),
        };
    }

    private GenerationPipeline CreateGeneration(ITextGenerator generator, ModelLoadContext context)
    {
        // For a generator, the deployment's batch size is the sequences decoded together and its queue the generations waiting.
        var settings = context.Settings;
        var scheduler = new TokenScheduler(
            generator,
            context.Key,
            new TokenSchedulerOptions(settings.MaxBatchSize, Math.Max(1, settings.MaxQueue), settings.RequestTimeout, options.Value.DefaultMaxTokens),
            generationMetrics,
            timeProvider,
            loggerFactory.CreateLogger<TokenScheduler>());
        return new GenerationPipeline(generator, scheduler, settings);
    }
}
