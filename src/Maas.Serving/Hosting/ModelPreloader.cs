using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Serving.Hosting;

/// <summary>At start-up, loads the default version (production alias, else latest) of every registered model whose
/// deployment settings say <c>preload</c>.</summary>
/// <remarks>Runs in the background so the server answers liveness at once; <c>/v2/health/ready</c> waits for it.</remarks>
internal sealed partial class ModelPreloader(
    IModelRegistry registry,
    InferenceService service,
    ModelHost host,
    IOptions<ServingOptions> options,
    ILogger<ModelPreloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!options.Value.PreloadModels)
            {
                return;
            }

            var models = await registry.ListModelsAsync(stoppingToken).ConfigureAwait(false);
            foreach (var model in models.Where(m => m.VersionCount > 0))
            {
                try
                {
                    var config = await host.GetConfigAsync(model.Name, stoppingToken).ConfigureAwait(false);
                    if (!config.Settings.Preload)
                    {
                        LogPreloadSkipped(logger, model.Name);
                        continue;
                    }

                    await service.GetDeploymentAsync(new ModelReference(model.Name), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPreloadFailed(logger, model.Name, ex.Message);
                }
            }
        }
        finally
        {
            service.MarkStartupComplete();
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "{Model} is not preloaded (its deployment settings say preload: false)")]
    private static partial void LogPreloadSkipped(ILogger logger, string model);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Preloading {Model} failed: {Reason}")]
    private static partial void LogPreloadFailed(ILogger logger, string model, string reason);
}
