using System.Collections.Concurrent;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Jobs;

/// <summary>Two replicas (two registries, two runners) sharing one database file.</summary>
public sealed class JobClaimTests : IAsyncLifetime
{
    private readonly JobGates _gates = new();
    private readonly ConcurrentDictionary<string, int> _runs = new();
    private RegistryTestHost _hostA = null!;
    private RegistryTestHost _hostB = null!;
    private readonly List<JobRunner> _runners = [];

    public Task InitializeAsync()
    {
        _hostA = RegistryTestHost.Create();
        _hostB = RegistryTestHost.Open(_hostA.DataDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var runner in _runners)
        {
            await runner.StopAsync(CancellationToken.None);
            runner.Dispose();
        }

        await _hostB.DisposeAsync();
        await _hostA.DisposeAsync();
    }

    [Fact]
    public async Task ClaimJobAsync_BothReplicasClaimEveryJob_EachJobWonExactlyOnce()
    {
        var storeA = _hostA.Services.GetRequiredService<IJobStore>();
        var storeB = _hostB.Services.GetRequiredService<IJobStore>();
        var ids = Enumerable.Range(0, 20).Select(i => $"job{i:00}").ToList();
        foreach (var id in ids)
        {
            await storeA.CreateJobAsync(JobStoreTests.NewJob(id));
        }

        var until = DateTimeOffset.UtcNow.AddMinutes(1);
        var claims = await Task.WhenAll(ids.SelectMany(id => new[]
        {
            Task.Run(async () => (id, owner: "a", won: await storeA.ClaimJobAsync(id, "a", until))),
            Task.Run(async () => (id, owner: "b", won: await storeB.ClaimJobAsync(id, "b", until))),
        }));

        foreach (var id in ids)
        {
            var winner = Assert.Single(claims, c => c.id == id && c.won);
            var stored = await storeB.GetJobAsync(id);
            Assert.Equal((JobState.Running, winner.owner), (stored!.State, stored.Owner));
        }
    }

    [Fact]
    public async Task Runners_JobsSubmittedToOneReplica_EachRunsExactlyOnceAcrossBoth()
    {
        var a = await StartRunnerAsync(_hostA, "a");
        var b = await StartRunnerAsync(_hostB, "b");
        var submitted = new List<JobRecord>();
        for (var i = 0; i < 6; i++)
        {
            submitted.Add(await a.SubmitAsync(new JobRequest("quantize", JobRunnerHarness.Parameters(), "tester")));
        }

        // B's heartbeat offers every queued job to B's lane as well; the claim decides who runs each.
        await b.HeartbeatAsync(CancellationToken.None);
        foreach (var job in submitted)
        {
            _gates.Open(job.Id);
        }

        foreach (var job in submitted)
        {
            var final = await WaitFinishedAsync(a, job.Id);
            Assert.Equal(JobState.Succeeded, final.State);
            Assert.Contains(final.Owner, new[] { "a", "b" });
            Assert.Equal(1, _runs[job.Id]);
        }
    }

    [Fact]
    public async Task Heartbeat_OwnerStoppedRenewing_OtherReplicaMarksJobInterrupted_OwnerStopsHandler()
    {
        // B's clock is past A's lease: as if A had died an hour ago.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var b = await StartRunnerAsync(_hostB, "b", later);
        var a = await StartRunnerAsync(_hostA, "a");
        var job = await a.SubmitAsync(new JobRequest("quantize", JobRunnerHarness.Parameters(), "tester"));
        await _gates.Started(job.Id);

        await b.HeartbeatAsync(CancellationToken.None);

        var stored = await b.GetAsync(job.Id);
        Assert.Equal((JobState.Interrupted, "the replica running it stopped while the job was running"), (stored!.State, stored.Error));

        // A comes back: its heartbeat finds the lease gone, stops the handler and does not overwrite the outcome.
        await a.HeartbeatAsync(CancellationToken.None);
        var seenByA = await WaitFinishedAsync(a, job.Id);
        Assert.Equal(JobState.Interrupted, seenByA.State);
        Assert.Equal("the replica running it stopped while the job was running", (await a.GetAsync(job.Id))!.Error);
    }

    [Fact]
    public async Task CancelAsync_JobRunningOnOtherReplica_OwnerStopsItAtItsHeartbeat()
    {
        var a = await StartRunnerAsync(_hostA, "a");
        var b = await StartRunnerAsync(_hostB, "b");
        var job = await a.SubmitAsync(new JobRequest("quantize", JobRunnerHarness.Parameters(), "tester"));
        await _gates.Started(job.Id);

        var answer = await b.CancelAsync(job.Id, "bob");
        Assert.Equal(JobState.Running, answer.State);

        await a.HeartbeatAsync(CancellationToken.None);
        var final = await WaitFinishedAsync(a, job.Id);
        Assert.Equal((JobState.Cancelled, "cancelled by bob"), (final.State, final.Error));
        Assert.Equal(JobState.Cancelled, (await b.GetAsync(job.Id))!.State);
    }

    [Fact]
    public async Task Heartbeat_QueuedJobOfAStoppedReplica_ClaimedAndRunByAnother()
    {
        // A replica accepted the job and died before running it: the job is queued in the database, in no runner.
        var storeA = _hostA.Services.GetRequiredService<IJobStore>();
        var orphan = JobStoreTests.NewJob(JobIds.New(TimeProvider.System)) with { Parameters = JobRunnerHarness.Parameters() };
        await storeA.CreateJobAsync(orphan);
        _gates.Open(orphan.Id);

        var b = await StartRunnerAsync(_hostB, "b");
        await b.HeartbeatAsync(CancellationToken.None);

        var final = await WaitFinishedAsync(b, orphan.Id);
        Assert.Equal((JobState.Succeeded, "b"), (final.State, final.Owner));
    }

    private async Task<JobRunner> StartRunnerAsync(RegistryTestHost host, string replica, TimeProvider? time = null)
    {
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            _runs.AddOrUpdate(context.JobId, 1, (_, n) => n + 1);
            await _gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "done");
        });

        // Heartbeats when the test calls them (the loop's first beat runs at start, the next long after the test).
        var options = new JobsOptions { ReplicaId = replica, HeartbeatInterval = TimeSpan.FromMinutes(2), LeaseDuration = TimeSpan.FromMinutes(5) };
        var runner = JobRunnerHarness.Create(host, [handler], options, time);
        await runner.StartAsync(CancellationToken.None);
        _runners.Add(runner);
        return runner;
    }

    private static async Task<JobRecord> WaitFinishedAsync(JobRunner runner, string id)
    {
        JobRecord? last = null;
        await foreach (var job in runner.WatchAsync(id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            last = job;
        }

        return last!;
    }
}
