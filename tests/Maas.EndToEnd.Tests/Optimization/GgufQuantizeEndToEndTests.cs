using System.Globalization;
using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.OpenAi;
using Maas.Formats.Gguf;
using Maas.Jobs;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Maas.EndToEnd.Tests.Optimization;

/// <summary>Done-when 4 of issue 9: an F32 GGUF model re-quantized to Q4_K_M by the quantize job is at most 0.2× the
/// size and generates greedily through <c>/v1</c>, the same text llama.cpp gives for the quantized file in process.</summary>
public sealed class GgufQuantizeEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QuantizeJob_F32ToQ4KM_ServedThroughV1GeneratesGreedy()
    {
        var dataDirectory = TempFolder.Create("maas-e2e-quantize");
        var (_, f32) = LlamaModels.WriteTiny(new TinyLlamaOptions { EmbeddingLength = 256, FeedForwardLength = 512, HeadCount = 4, BlockCount = 2 });

        // The job runs as the job runner would run it: validate, then run in its own work folder.
        string quantizedPath;
        VersionReport? report = null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddMaasRegistry(o => o.DataDirectory = dataDirectory);
        services.AddMaasLlamaEngine();
        services.AddMaasOnnxEngine();
        services.AddMaasServing();
        Maas.Optimization.OptimizationServiceCollectionExtensions.AddMaasOptimization(services);
        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<IModelRegistry>();
            await registry.PushAsync(new PushRequest { Model = "tiny-llama", Files = [new PushFile("model.gguf", new MemoryStream(f32))] });
            var handler = provider.GetServices<IJobHandler>().Single(h => h.Kind == "quantize");
            var request = new JobRequest("quantize", JsonSerializer.SerializeToElement(new { model = "tiny-llama", method = "q4_k_m", alias = "q4" }), "e2e");
            await handler.ValidateAsync(request, CancellationToken.None);
            var work = Directory.CreateDirectory(Path.Combine(dataDirectory, "work")).FullName;
            var result = await handler.RunAsync(new JobContext("job-e2e", request, work, (_, _) => { }), CancellationToken.None);
            output.WriteLine(result.Summary);

            var version = await registry.ResolveAsync(new Maas.Core.Models.ModelReference("tiny-llama", Alias: "q4"));
            Assert.Equal(2, version.Version);
            var file = version.Files.Single(f => f.Name == version.Manifest.ModelFile);
            quantizedPath = Path.Combine(TempFolder.Create("maas-e2e-q4"), "model.gguf");
            File.Copy(await registry.GetArtifactPathAsync(file.Sha256), quantizedPath);
            Assert.True(file.Size <= 0.2 * f32.Length, $"Q4_K_M is {file.Size} bytes, F32 {f32.Length}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"size: F32 {f32.Length} B, Q4_K_M {file.Size} B ({file.Size / (double)f32.Length:0.000}x)"));
            report = version.Report;
        }

        if (report is not null)
        {
            output.WriteLine(JsonSerializer.Serialize(report));
        }

        await using var server = await MaasTestServer.StartAsync(dataDirectory: dataDirectory);
        var (status, body) = await Json.PostAsync(server.Client, "/v1/completions",
            "{\"model\": \"tiny-llama@q4\", \"prompt\": \"hello world\", \"max_tokens\": 12, \"temperature\": 0}");

        Assert.Equal(HttpStatusCode.OK, status);
        var text = body.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.False(string.IsNullOrEmpty(text));

        // Independent reference: the quantized file decoded greedily in process by llama.cpp.
        await using var reference = await LlamaModels.LoadInProcessAsync(quantizedPath, contextSize: 256);
        var expected = await LlamaModels.GreedyAsync(reference, "hello world", 12);
        Assert.Equal(expected.Text, text);
    }
}
