using Maas.Core.Engines;
using Maas.Engines.Onnx;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ONNX Runtime engine.</summary>
public static class OnnxServiceCollectionExtensions
{
    public static IServiceCollection AddMaasOnnxEngine(this IServiceCollection services, Action<OnnxEngineOptions>? configure = null)
    {
        var builder = services.AddOptions<OnnxEngineOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => o.GraphOptimization is "disabled" or "basic" or "extended" or "all",
            "Onnx:GraphOptimization must be disabled, basic, extended or all.").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelEngine, OnnxEngine>());
        return services;
    }
}
