using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.Bench;

/// <summary>Models handed to a server that runs in the benchmark's own process.</summary>
internal static class BenchModels
{
    /// <summary>Pushes the GGUF file at <paramref name="path"/> as a new version of <paramref name="model"/> through the
    /// registry and returns once the model host has loaded it.</summary>
    public static async Task PushGgufAsync(IServiceProvider services, string model, string path)
    {
        await using (var file = File.OpenRead(path))
        {
            await services.GetRequiredService<IModelRegistry>().PushAsync(new PushRequest
            {
                Model = model,
                Files = [new PushFile("model.gguf", file)],
            }).ConfigureAwait(false);
        }

        await services.GetRequiredService<IInferenceService>().GetDeploymentAsync(new ModelReference(model)).ConfigureAwait(false);
    }
}
