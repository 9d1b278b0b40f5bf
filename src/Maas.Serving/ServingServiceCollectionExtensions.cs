using Maas.Serving;
using Maas.Serving.Generation;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;
using Maas.Serving.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the model host, router and pipelines.</summary>
public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddMaasServing(this IServiceCollection services, Action<ServingOptions>? configure = null)
    {
        var builder = services.AddOptions<ServingOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder
            .Validate(o => o.MaxConcurrencyPerModel >= 1, "Serving:MaxConcurrencyPerModel must be at least 1.")
            .Validate(o => o.MaxQueuePerModel >= 0, "Serving:MaxQueuePerModel cannot be negative.")
            .Validate(o => o.IntraOpThreads >= 0, "Serving:IntraOpThreads cannot be negative.")
            .Validate(o => o.MaxBatchTexts >= 1, "Serving:MaxBatchTexts must be at least 1.")
            .Validate(o => o.LoadTimeout > TimeSpan.Zero, "Serving:LoadTimeout must be positive.")
            .Validate(o => o.MaxSequencesPerGenerator >= 1, "Serving:MaxSequencesPerGenerator must be at least 1.")
            .Validate(o => o.MaxGenerationQueue >= 1, "Serving:MaxGenerationQueue must be at least 1.")
            .Validate(o => o.GenerationDeadline > TimeSpan.Zero, "Serving:GenerationDeadline must be positive.")
            .Validate(o => o.DefaultMaxTokens >= 1, "Serving:DefaultMaxTokens must be at least 1.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GenerationMetrics>();
        services.TryAddSingleton<Maas.Serving.Metrics.ServingMetrics>();
        services.TryAddSingleton<PipelineFactory>();
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<ModelRouter>();
        services.TryAddSingleton<InferenceService>();
        services.TryAddSingleton<IInferenceService>(sp => sp.GetRequiredService<InferenceService>());
        services.AddHostedService<ModelPreloader>();
        return services;
    }
}
