using System.Text.Json;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.UnitTests.Jobs;

/// <summary>A started <see cref="JobRunner"/> over a real registry in a temporary folder.</summary>
internal sealed class JobRunnerHarness : IAsyncDisposable
{
    private bool _stopped;

    private JobRunnerHarness(RegistryTestHost host, JobRunner runner)
    {
        Host = host;
        Runner = runner;
    }

    public RegistryTestHost Host { get; }

    public JobRunner Runner { get; }

    public IJobStore Store => Host.Services.GetRequiredService<IJobStore>();

    public static async Task<JobRunnerHarness> StartAsync(IEnumerable<IJobHandler> handlers, JobsOptions? options = null, RegistryTestHost? host = null)
    {
        host ??= RegistryTestHost.Create();
        var runner = Create(host, handlers, options);
        await runner.StartAsync(CancellationToken.None);
        return new JobRunnerHarness(host, runner);
    }

    public static JobRunner Create(RegistryTestHost host, IEnumerable<IJobHandler> handlers, JobsOptions? options = null, TimeProvider? time = null) =>
        new(
            host.Services.GetRequiredService<IJobStore>(),
            handlers,
            options ?? new JobsOptions(),
            Path.Combine(host.DataDirectory, "jobs"),
            time ?? TimeProvider.System,
            NullLogger<JobRunner>.Instance);

    public static JsonElement Parameters(string json = """{"model":"bert"}""") => JsonDocument.Parse(json).RootElement.Clone();

    public Task<JobRecord> SubmitAsync(string kind, string json = """{"model":"bert"}""") =>
        Runner.SubmitAsync(new JobRequest(kind, Parameters(json), "tester"));

    /// <summary>Follows the job until its final state (bounded, so a broken runner fails the test instead of hanging it).</summary>
    public async Task<JobRecord> WaitFinishedAsync(string id)
    {
        JobRecord? last = null;
        await foreach (var job in Runner.WatchAsync(id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            last = job;
        }

        return last!;
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await Runner.StopAsync(CancellationToken.None);
        Runner.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        await Host.DisposeAsync();
    }
}
