using Microsoft.Extensions.DependencyInjection;

namespace Maas.Optimization;

/// <summary>Registers the optimization passes (<see cref="IModelPass"/>) and the jobs that run them.</summary>
public static class OptimizationServiceCollectionExtensions
{
    public static IServiceCollection AddMaasOptimization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // One line per pass and per job handler, e.g. services.AddSingleton<IModelPass, DynamicInt8Pass>();
        services.AddSingleton<IModelPass, Quantization.Dynamic.DynamicInt8Pass>();
        services.AddSingleton<IModelPass, Quantization.Int4.Int4Pass>();
        services.AddSingleton<IModelPass, Quantization.Static.StaticInt8Pass>();
        services.AddSingleton<Maas.Jobs.IJobHandler, Jobs.QuantizeJobHandler>();
        services.AddSingleton<Evaluation.ReportMeasurer>().AddOptions<Evaluation.ReportOptions>().BindConfiguration(Evaluation.ReportOptions.Section).Validate(o => o.IsValid(), Evaluation.ReportOptions.Rule).ValidateOnStart();
        Gguf.GgufQuantizePass.Register(services);
        services.AddSingleton<IModelPass, Quantization.Fp16.Fp16Pass>();
        return services;
    }
}
