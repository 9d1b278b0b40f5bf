using Maas.Registry;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Jobs;

/// <summary>The job runner's DI entry point.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IJobService"/> and the hosted runner; job kinds come from the <see cref="IJobHandler"/>s
    /// registered (e.g. by <c>AddMaasOptimization</c>). Needs the registry (<c>AddMaasRegistry</c>) for the job store.</summary>
    public static IServiceCollection AddMaasJobs(this IServiceCollection services, Action<JobsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<JobsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
                o => o.MaxCpuHeavy is >= 1 and <= 64 && o.MaxOther is >= 1 and <= 64 && o.MaxQueued is >= 1 and <= 100_000
                     && o.ProgressInterval >= TimeSpan.Zero && o.ProgressInterval <= TimeSpan.FromMinutes(1)
                     && o.HeartbeatInterval > TimeSpan.Zero && o.LeaseDuration >= 2 * o.HeartbeatInterval,
                "Maas:Jobs: MaxCpuHeavy and MaxOther must be 1..64, MaxQueued 1..100000, ProgressInterval 0..1 minute, "
                + "HeartbeatInterval above 0 and LeaseDuration at least twice HeartbeatInterval.")
            .ValidateOnStart();

        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var registry = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            var work = Path.GetFullPath(jobs.WorkDirectory ?? Path.Combine(Path.GetFullPath(registry.DataDirectory), "jobs"));
            return new JobRunner(
                sp.GetRequiredService<IJobStore>(),
                sp.GetServices<IJobHandler>(),
                jobs,
                work,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<JobRunner>>());
        });
        services.TryAddSingleton<IJobService>(sp => sp.GetRequiredService<JobRunner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobRunnerHost>());
        return services;
    }
}
