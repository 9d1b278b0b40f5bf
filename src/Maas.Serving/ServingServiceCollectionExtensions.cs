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
            .Validate(o => o.Defaults.Instances >= 0, "Serving:Defaults:Instances cannot be negative.")
            .Validate(o => o.Defaults.IntraOpThreads >= 0, "Serving:Defaults:IntraOpThreads cannot be negative.")
            .Validate(o => o.Defaults.MaxBatchSize is >= 1 and <= 4096, "Serving:Defaults:MaxBatchSize must be between 1 and 4096.")
            .Validate(o => o.Defaults.MaxQueueDelay >= TimeSpan.Zero, "Serving:Defaults:MaxQueueDelay cannot be negative.")
            .Validate(o => o.Defaults.MaxQueue >= 0, "Serving:Defaults:MaxQueue cannot be negative.")
            .Validate(o => o.Defaults.RequestTimeout > TimeSpan.Zero, "Serving:Defaults:RequestTimeout must be positive.")
            .Validate(o => o.MaxBatchTexts >= 1, "Serving:MaxBatchTexts must be at least 1.")
            .Validate(o => o.Images.MaxPixels >= 1 && o.Images.MaxImagesPerRequest >= 1, "Serving:Images:MaxPixels and Serving:Images:MaxImagesPerRequest must be at least 1.")
            .Validate(o => o.LoadTimeout > TimeSpan.Zero, "Serving:LoadTimeout must be positive.")
            .Validate(o => o.DefaultMaxTokens >= 1, "Serving:DefaultMaxTokens must be at least 1.")
            .Validate(o => o.MemoryBudget is null or >= 0, "Serving:MemoryBudget cannot be negative (0 = unlimited).")
            .Validate(o => o.LoadRetryDelay > TimeSpan.Zero, "Serving:LoadRetryDelay must be positive.")
            .Validate(o => o.LoadRetryMaxDelay >= o.LoadRetryDelay, "Serving:LoadRetryMaxDelay cannot be shorter than Serving:LoadRetryDelay.")
            .Validate(o => o.IdleCheckInterval > TimeSpan.Zero && o.IdleCheckInterval <= TimeSpan.FromDays(30), "Serving:IdleCheckInterval must be positive and at most 30 days.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GenerationMetrics>();
        services.TryAddSingleton<Maas.Serving.Metrics.ModelStatistics>();
        services.TryAddSingleton<Maas.Serving.Metrics.ServingMetrics>();
        services.TryAddSingleton<PipelineFactory>();
        services.TryAddSingleton<IPipelineBuilder, FactoryPipelineBuilder>();
        services.TryAddSingleton<ModelHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Maas.Registry.Artifacts.IArtifactUsage, HostArtifactUsage>());
        services.TryAddSingleton<ModelRouter>();
        services.TryAddSingleton<InferenceService>();
        services.TryAddSingleton<IInferenceService>(sp => sp.GetRequiredService<InferenceService>());
        services.AddHostedService<ModelPreloader>();
        return services;
    }
}
