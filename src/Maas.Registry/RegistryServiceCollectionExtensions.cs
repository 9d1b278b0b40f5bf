using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Registry.Changes;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Registry.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Registry;

/// <summary>The registry's DI entry point.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IModelRegistry"/> (SQLite or PostgreSQL metadata by <see cref="RegistryOptions.Database"/>, folder artifact store) and its start-up initialization.</summary>
    /// <remarks>
    /// Every service is added with TryAdd, so a host can replace any of them by registering its own first.
    /// Options are validated when the host starts; the registry applies migrations and recovers from a crash then
    /// (or on first use when no host runs it).
    /// </remarks>
    public static IServiceCollection AddMaasRegistry(this IServiceCollection services, Action<RegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RegistryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());

        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RegistryOptions>>().Value);
        services.TryAddSingleton(sp => new RegistryPaths(sp.GetRequiredService<RegistryOptions>()));
        services.TryAddSingleton<IMetadataDatabase>(sp =>
        {
            var registryOptions = sp.GetRequiredService<RegistryOptions>();
            return DatabaseTarget.IsPostgres(registryOptions.Database)
                ? new PostgresMetadataDatabase(registryOptions.Database!, registryOptions, sp.GetRequiredService<ILogger<PostgresMetadataDatabase>>())
                : new SqliteMetadataDatabase(sp.GetRequiredService<RegistryPaths>(), registryOptions);
        });
        services.TryAddSingleton<MigrationRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IArtifactStore, FolderArtifactStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IArtifactStore, Artifacts.S3.S3ArtifactStore>());
        services.TryAddSingleton(sp => ArtifactCodecs.Create(
            sp.GetRequiredService<RegistryOptions>(), sp.GetRequiredService<RegistryPaths>(), sp.GetRequiredService<ILogger<ArtifactCache>>()));
        services.TryAddSingleton<ArtifactCacheFactory>();
        services.TryAddSingleton<IStorageRotation, StorageRotation>();
        services.TryAddSingleton<ISignatureReader, OnnxSignatureReader>();
        services.TryAddSingleton<ModelRegistry>();
        services.TryAddSingleton<IModelRegistry>(sp => sp.GetRequiredService<ModelRegistry>());
        services.TryAddSingleton<IJobStore, Jobs.JobStore>();
        services.TryAddSingleton<IApiKeyStore, Security.ApiKeyStore>();
        services.TryAddSingleton<IAuditTrail, Security.AuditTrail>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RegistryStartup>());

        // After RegistryStartup: follows other replicas' changes (the poll; a notification listener wakes it if registered).
        services.AddOptions<ChangeFeedOptions>()
            .Validate(
                o => o.ChangePollInterval > TimeSpan.Zero && o.ChangePollInterval <= TimeSpan.FromMinutes(5)
                     && o.ChangeRetention >= TimeSpan.FromMinutes(1) && o.ChangeGapTimeout > TimeSpan.Zero,
                "Maas:Registry: ChangePollInterval must be above 0 and at most 5 minutes, ChangeRetention at least 1 minute, ChangeGapTimeout above 0.")
            .ValidateOnStart();
        services.TryAddSingleton<RegistryChangeFeed>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RegistryChangeFeedHost>());
        return services;
    }
}
