using System.Text.Json;
using Maas.Core.Models;
using Maas.Jobs;
using Maas.Optimization;
using Maas.Optimization.Evaluation;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Optimization;

/// <summary>A real registry (SQLite + folder), the real engines and serving pipelines, AddMaasOptimization and the
/// test's own passes, over a temporary data folder.</summary>
internal sealed class OptimizationTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string _dataDirectory = RegistryTestHost.NewDataDirectory();
    private readonly string _workRoot;
    private int _jobs;

    public OptimizationTestHost(params IModelPass[] passes)
    {
        _workRoot = Path.Combine(_dataDirectory, "jobs");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddSingleton<IModelRegistry>(sp => new RecordingRegistry(sp.GetRequiredService<ModelRegistry>()));
        services.AddMaasRegistry(o => o.DataDirectory = _dataDirectory);
        services.AddMaasOnnxEngine();
        services.AddMaasLlamaEngine();
        services.AddMaasServing();
        foreach (var pass in passes)
        {
            services.AddSingleton(pass);
        }

        services.AddMaasOptimization();

        // Short rounds: the tests check that figures are measured and sane, not how fast anything is.
        services.Configure<ReportOptions>(o =>
        {
            o.Rounds = 3;
            o.MeasurementTime = TimeSpan.FromMilliseconds(20);
            o.LargeBatch = 8;
            o.GeneratedTokens = 6;
        });
        _provider = services.BuildServiceProvider();
    }

    public IModelRegistry Registry => _provider.GetRequiredService<IModelRegistry>();

    /// <summary>The last push request (lineage and report as the handler sent them).</summary>
    public PushRequest LastPush => ((RecordingRegistry)Registry).Pushes[^1];

    public int PushCount => ((RecordingRegistry)Registry).Pushes.Count;

    public IJobHandler Handler => _provider.GetServices<IJobHandler>().Single(h => h.Kind == "quantize");

    public IServiceProvider Services => _provider;

    public List<(double Fraction, string Stage)> Progress { get; } = [];

    public async Task<ModelVersionInfo> PushAsync(string model, IEnumerable<(string Name, byte[] Content)> files, ModelManifest? manifest = null)
    {
        var streams = files.Select(f => new PushFile(f.Name, new MemoryStream(f.Content))).ToList();
        return await Registry.PushAsync(new PushRequest { Model = model, Files = streams, Manifest = manifest, Actor = "test" });
    }

    public static JobRequest Request(object parameters) =>
        new("quantize", JsonSerializer.SerializeToElement(parameters), "tester");

    /// <summary>Validates and runs a job as the runner would, in a fresh work folder.</summary>
    public async Task<JobResult> RunAsync(object parameters, CancellationToken cancellationToken = default)
    {
        var request = Request(parameters);
        await Handler.ValidateAsync(request, cancellationToken);
        var work = Directory.CreateDirectory(Path.Combine(_workRoot, $"job-{++_jobs}")).FullName;
        var context = new JobContext($"job-{_jobs}", request, work, (f, s) =>
        {
            lock (Progress)
            {
                Progress.Add((f, s));
            }
        });
        return await Handler.RunAsync(context, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        RegistryTestHost.DeleteDirectory(_dataDirectory);
    }
}
