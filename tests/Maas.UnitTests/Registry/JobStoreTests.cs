using System.Text.Json;
using Maas.Registry.Abstractions;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class JobStoreTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : JobStoreTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : JobStoreTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : JobStoreTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : JobStoreTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task FinishJobAsync_FromWrongState_ChangesNothing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var store = host.Services.GetRequiredService<IJobStore>();
        await store.CreateJobAsync(NewJob("job1"));

        var notRunning = await store.FinishJobAsync("job1", JobCompletion.Failed("x"), "tester", [JobState.Running]);
        var cancelled = await store.FinishJobAsync("job1", JobCompletion.Cancelled("by tester"), "tester", [JobState.Queued]);
        var started = await store.StartJobAsync("job1");

        Assert.Null(notRunning);
        Assert.Equal(JobState.Cancelled, cancelled!.State);
        Assert.False(started);
        Assert.Equal(JobState.Cancelled, (await store.GetJobAsync("job1"))!.State);
        Assert.Equal(["job.cancel", "job.submit"], (await host.Registry.ReadAuditAsync("bert", 10)).Select(a => a.Action));
    }

    [Fact]
    public async Task ListJobsAsync_Filters_NewestFirst()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var store = host.Services.GetRequiredService<IJobStore>();
        var at = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        await store.CreateJobAsync(NewJob("a", at));
        await store.CreateJobAsync(NewJob("b", at.AddMinutes(1)) with { Kind = "evaluate" });
        await store.CreateJobAsync(NewJob("c", at.AddMinutes(2)));
        await store.StartJobAsync("c");
        await store.UpdateJobProgressAsync("c", 0.4, "measuring");

        Assert.Equal(["c", "b", "a"], (await store.ListJobsAsync(null, null, 10)).Select(j => j.Id));
        Assert.Equal(["c", "a"], (await store.ListJobsAsync(null, "quantize", 10)).Select(j => j.Id));
        var running = Assert.Single(await store.ListJobsAsync(JobState.Running, null, 10));
        Assert.Equal((0.4, "measuring"), (running.Progress, running.Stage));
        Assert.Equal(["c"], (await store.ListJobsAsync(null, null, 1)).Select(j => j.Id));
    }

    [Fact]
    public async Task RecoverJobsAsync_RunningWithoutVersion_Interrupted_WithVersion_Succeeded()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var store = host.Services.GetRequiredService<IJobStore>();
        await host.PushAsync("bert");
        foreach (var id in new[] { "pushed", "half", "waiting" })
        {
            await store.CreateJobAsync(NewJob(id));
        }

        await store.StartJobAsync("pushed");
        await store.StartJobAsync("half");
        await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "int8 weights")],
            Lineage = Lineage.From("bert", 1, "quantize", new Dictionary<string, string>()) with { JobId = "pushed" },
        });

        var recovered = await store.RecoverJobsAsync("the server stopped");

        Assert.Equal(3, recovered.Count);
        var pushed = await store.GetJobAsync("pushed");
        Assert.Equal((JobState.Succeeded, "bert", 2, 1.0), (pushed!.State, pushed.ResultModel, pushed.ResultVersion, pushed.Progress));
        var half = await store.GetJobAsync("half");
        Assert.Equal(JobState.Interrupted, half!.State);
        Assert.Equal("the server stopped while the job was running", half.Error);
        Assert.Equal("the server stopped while the job was queued", (await store.GetJobAsync("waiting"))!.Error);
        Assert.Empty(await store.RecoverJobsAsync("again"));
        Assert.Equal(3, (await host.Registry.ReadAuditAsync("bert", 20)).Count(a => a is { Action: "job.finish", Actor: "system" }));
    }

    internal static JobRecord NewJob(string id, DateTimeOffset? at = null) => new()
    {
        Id = id,
        Kind = "quantize",
        Parameters = JsonDocument.Parse("""{"model":"bert","method":"dynamic-int8"}""").RootElement.Clone(),
        State = JobState.Queued,
        Actor = "tester",
        CreatedAt = at ?? DateTimeOffset.UtcNow,
    };
}
