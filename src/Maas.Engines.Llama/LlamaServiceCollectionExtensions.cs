using Maas.Core.Engines;
using Maas.Engines.Llama;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the llama.cpp engine.</summary>
public static class LlamaServiceCollectionExtensions
{
    public static IServiceCollection AddMaasLlamaEngine(this IServiceCollection services, Action<LlamaEngineOptions>? configure = null)
    {
        var builder = services.AddOptions<LlamaEngineOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder
            .Validate(o => o.ContextSize >= 16, "Maas:Llama:ContextSize must be at least 16 cells.")
            .Validate(o => o.BatchSize >= 1, "Maas:Llama:BatchSize must be positive.")
            .Validate(o => o.PrefixCacheSequences is >= 0 and <= 255, "Maas:Llama:PrefixCacheSequences must be between 0 and 255.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelEngine, LlamaEngine>());
        services.TryAddSingleton<IGgufQuantizer, LlamaGgufQuantizer>();
        return services;
    }
}
