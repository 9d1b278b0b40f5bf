using Maas.Core.Errors;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Jobs;

public sealed class JobRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SubmitAsync_UnknownKind_InvalidArgumentAndNoJob()
    {
        await using var jobs = await JobRunnerHarness.StartAsync([Succeeding("quantize")]);

        var error = await Assert.ThrowsAsync<MaasException>(() => jobs.SubmitAsync("prune"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("quantize", error.Message, StringComparison.Ordinal);
        Assert.Empty(await jobs.Store.ListJobsAsync(null, null, 10));
    }

    [Fact]
    public async Task SubmitAsync_HandlerRefusesParameters_ErrorAndNoJob()
    {
        var handler = new TestJobHandler("quantize", (_, _) => Task.FromResult(new JobResult(null, null, "done")))
        {
            Validate = _ => throw MaasException.NotFound("model 'bert' has no version 7"),
        };
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);

        var error = await Assert.ThrowsAsync<MaasException>(() => jobs.SubmitAsync("quantize", """{"model":"bert","version":7}"""));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
        Assert.Empty(await jobs.Store.ListJobsAsync(null, null, 10));
        Assert.Equal(0, handler.Runs);
    }

    [Fact]
    public async Task WatchAsync_HandlerReportsStages_SeesEachStageThenSucceeded()
    {
        var gates = new JobGates();
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            context.ReportProgress(0.25, "quantizing");
            await gates.WaitAsync(context.JobId + "/1", ct);
            context.ReportProgress(0.75, "measuring");
            await gates.WaitAsync(context.JobId + "/2", ct);
            return new JobResult(null, null, "all done");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);
        var job = await jobs.SubmitAsync("quantize");

        var seen = new List<JobRecord>();
        await using var events = jobs.Runner.WatchAsync(job.Id).GetAsyncEnumerator();
        async Task NextUntilAsync(Func<JobRecord, bool> condition)
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(Timeout))
            {
                seen.Add(events.Current);
                if (condition(events.Current))
                {
                    return;
                }
            }

            Assert.Fail("The stream ended early: " + string.Join(", ", seen.Select(s => $"{s.State}/{s.Stage}")));
        }

        await NextUntilAsync(j => j.Stage == "quantizing");
        var stored = await jobs.Store.GetJobAsync(job.Id);
        gates.Open(job.Id + "/1");
        await NextUntilAsync(j => j.Stage == "measuring");
        gates.Open(job.Id + "/2");
        await NextUntilAsync(j => j.State.IsFinal());

        Assert.False(await events.MoveNextAsync());
        Assert.Equal(JobState.Running, stored!.State);
        Assert.Equal((0.25, "quantizing"), (seen.First(s => s.Stage == "quantizing").Progress, "quantizing"));
        Assert.Equal(0.75, seen.First(s => s.Stage == "measuring").Progress);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.Progress >= p.First.Progress), "progress went backwards");
        var last = seen[^1];
        Assert.Equal((JobState.Succeeded, 1.0, "all done"), (last.State, last.Progress, last.Summary));
        Assert.NotNull(last.StartedAt);
        Assert.NotNull(last.FinishedAt);
    }

    [Fact]
    public async Task WatchAsync_FinishedJob_YieldsItsFinalStateOnly()
    {
        await using var jobs = await JobRunnerHarness.StartAsync([Succeeding("quantize")]);
        var job = await jobs.SubmitAsync("quantize");
        await jobs.WaitFinishedAsync(job.Id);

        var events = new List<JobRecord>();
        await foreach (var e in jobs.Runner.WatchAsync(job.Id))
        {
            events.Add(e);
        }

        Assert.Equal(JobState.Succeeded, Assert.Single(events).State);
        await Assert.ThrowsAsync<MaasException>(async () => await jobs.Runner.WatchAsync("nope").GetAsyncEnumerator().MoveNextAsync());
    }

    [Fact]
    public async Task CancelAsync_RunningJob_HandlerStopsAndJobCancelled()
    {
        var gates = new JobGates();
        string? workDirectory = null;
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            workDirectory = context.WorkDirectory;
            await File.WriteAllTextAsync(Path.Combine(context.WorkDirectory, "partial.onnx"), "half written", ct);
            await gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "should not finish");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);
        var job = await jobs.SubmitAsync("quantize");
        await gates.Started(job.Id);

        var answer = await jobs.Runner.CancelAsync(job.Id, "alice");
        var final = await jobs.WaitFinishedAsync(job.Id);

        // Still running when the handler had not stopped by the time of the answer, else already cancelled.
        Assert.Contains(answer.State, new[] { JobState.Running, JobState.Cancelled });
        Assert.Equal((JobState.Cancelled, "cancelled by alice"), (final.State, final.Error));
        Assert.Equal(JobState.Cancelled, (await jobs.Store.GetJobAsync(job.Id))!.State);
        Assert.False(Directory.Exists(workDirectory));
        var audit = await jobs.Host.Registry.ReadAuditAsync("bert", 10);
        Assert.Equal(("alice", "job.cancel"), (audit[0].Actor, audit[0].Action));
    }

    [Fact]
    public async Task CancelAsync_QueuedJob_CancelledAtOnceAndNeverRuns()
    {
        var gates = new JobGates();
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            await gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "done");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);
        var first = await jobs.SubmitAsync("quantize");
        var second = await jobs.SubmitAsync("quantize");
        await gates.Started(first.Id);

        var answer = await jobs.Runner.CancelAsync(second.Id, "bob");
        gates.Open(first.Id);
        await jobs.WaitFinishedAsync(first.Id);

        Assert.Equal((JobState.Cancelled, "cancelled by bob before it started"), (answer.State, answer.Error));
        Assert.Equal(JobState.Cancelled, (await jobs.WaitFinishedAsync(second.Id)).State);
        Assert.Equal(1, handler.Runs);
        Assert.Null((await jobs.Store.GetJobAsync(second.Id))!.StartedAt);
    }

    [Fact]
    public async Task CancelAsync_FinishedJob_Conflict_UnknownJob_NotFound()
    {
        await using var jobs = await JobRunnerHarness.StartAsync([Succeeding("quantize")]);
        var job = await jobs.SubmitAsync("quantize");
        await jobs.WaitFinishedAsync(job.Id);

        var finished = await Assert.ThrowsAsync<MaasException>(() => jobs.Runner.CancelAsync(job.Id, "bob"));
        var unknown = await Assert.ThrowsAsync<MaasException>(() => jobs.Runner.CancelAsync("01nosuchjob000", "bob"));

        Assert.Equal(MaasErrorKind.Conflict, finished.Kind);
        Assert.Equal(MaasErrorKind.NotFound, unknown.Kind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Runner_CpuHeavyJobs_AtMostMaxAtOnceInSubmissionOrder(int max)
    {
        var gates = new JobGates();
        var heavy = new TestJobHandler("quantize", async (context, ct) =>
        {
            await gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "done");
        });
        var light = new TestJobHandler("evaluate", async (context, ct) =>
        {
            await gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "done");
        }) { IsCpuHeavy = false };
        await using var jobs = await JobRunnerHarness.StartAsync([heavy, light], new JobsOptions { MaxCpuHeavy = max });
        var submitted = new List<JobRecord>();
        for (var i = 0; i < 4; i++)
        {
            submitted.Add(await jobs.SubmitAsync("quantize"));
        }

        var other = await jobs.SubmitAsync("evaluate");

        // The other lane is not held up by the busy CPU-heavy lane.
        await gates.Started(other.Id);
        for (var i = 0; i < submitted.Count; i++)
        {
            // Wait until every job that may run alongside job i has begun, so the
            // count of jobs running at once is observed before any of them is released.
            for (var j = i; j < Math.Min(i + max, submitted.Count); j++)
            {
                await gates.Started(submitted[j].Id);
            }

            if (i + max < submitted.Count)
            {
                Assert.Equal(JobState.Queued, (await jobs.Runner.GetAsync(submitted[i + max].Id))!.State);
                Assert.False(gates.HasStarted(submitted[i + max].Id));
            }

            gates.Open(submitted[i].Id);
        }

        gates.Open(other.Id);
        foreach (var job in submitted)
        {
            Assert.Equal(JobState.Succeeded, (await jobs.WaitFinishedAsync(job.Id)).State);
        }

        Assert.Equal(max, heavy.MaxRunning);
        var started = gates.StartOrder.Where(id => id != other.Id).ToList();
        if (max == 1)
        {
            Assert.Equal(submitted.Select(j => j.Id), started);
        }
        else
        {
            // Two workers take jobs in order but may begin them in either order.
            Assert.Equal(submitted.Select(j => j.Id).Order(), started.Order());
        }
    }

    [Fact]
    public async Task Runner_HandlerThrows_JobFailedWithReasonAndWorkFolderDeleted()
    {
        string? workDirectory = null;
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            workDirectory = context.WorkDirectory;
            await File.WriteAllTextAsync(Path.Combine(context.WorkDirectory, "scratch.bin"), "x", ct);
            throw MaasException.InvalidArgument("the model has nothing to quantize");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);

        var job = await jobs.SubmitAsync("quantize");
        var final = await jobs.WaitFinishedAsync(job.Id);

        Assert.Equal((JobState.Failed, "the model has nothing to quantize"), (final.State, final.Error));
        Assert.Equal("the model has nothing to quantize", (await jobs.Store.GetJobAsync(job.Id))!.Error);
        Assert.NotNull(workDirectory);
        Assert.False(Directory.Exists(workDirectory));
    }

    [Fact]
    public async Task Runner_HandlerRegistersVersion_JobSucceededWithResultAndLineageNamesJob()
    {
        RegistryTestHost host = RegistryTestHost.Create();
        await host.PushAsync("bert");
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            var version = await host.Registry.PushAsync(
                new PushRequest
                {
                    Model = "bert",
                    Files = [RegistryTestHost.File("model.onnx", "int8 weights")],
                    Lineage = Lineage.From("bert", 1, "quantize", new Dictionary<string, string> { ["method"] = "dynamic-int8" }) with { JobId = context.JobId },
                    Report = LineageTests.Report("quantize dynamic-int8", "bert:1"),
                    Actor = context.Actor,
                },
                ct);
            return new JobResult(version.Model, version.Version, $"registered {version.Key}");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler], host: host);

        var job = await jobs.SubmitAsync("quantize");
        var final = await jobs.WaitFinishedAsync(job.Id);

        Assert.Equal((JobState.Succeeded, "bert", 2), (final.State, final.ResultModel, final.ResultVersion));
        var version = await host.Registry.ResolveAsync(new Maas.Core.Models.ModelReference("bert", Version: 2));
        Assert.Equal(job.Id, version.Lineage!.JobId);
        Assert.Equal("tester", version.CreatedBy);
        Assert.NotNull(version.Report);
    }

    [Fact]
    public async Task StartAsync_AfterCrash_RunningJobInterrupted_PushedJobSucceeded_WorkFoldersRemoved()
    {
        await using var host = RegistryTestHost.Create();
        var store = host.Services.GetRequiredService<IJobStore>();
        await host.PushAsync("bert");

        // What a process killed mid-job leaves: one job killed before its push, one right after its push committed.
        await store.CreateJobAsync(JobStoreTests.NewJob("killed"));
        await store.StartJobAsync("killed");
        await store.CreateJobAsync(JobStoreTests.NewJob("pushed"));
        await store.StartJobAsync("pushed");
        await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "int8")],
            Lineage = Lineage.From("bert", 1, "quantize", new Dictionary<string, string>()) with { JobId = "pushed" },
        });
        var leftover = Path.Combine(host.DataDirectory, "jobs", "killed");
        Directory.CreateDirectory(leftover);
        await File.WriteAllTextAsync(Path.Combine(leftover, "partial.onnx"), "half");

        var runner = JobRunnerHarness.Create(host, [Succeeding("quantize")]);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            var killed = await runner.GetAsync("killed");
            var pushed = await runner.GetAsync("pushed");

            Assert.Equal((JobState.Interrupted, "the server stopped while the job was running"), (killed!.State, killed.Error));
            Assert.Equal((JobState.Succeeded, "bert", 2), (pushed!.State, pushed.ResultModel, pushed.ResultVersion));
            Assert.False(Directory.Exists(leftover));
            Assert.Equal(2, (await host.Registry.GetModelAsync("bert"))!.Versions.Count);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
            runner.Dispose();
        }
    }

    [Fact]
    public async Task StopAsync_JobRunning_HandlerCancelledAndJobInterrupted_QueuedJobStaysQueued()
    {
        var gates = new JobGates();
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            await gates.WaitAsync(context.JobId, ct);
            return new JobResult(null, null, "done");
        });
        await using var jobs = await JobRunnerHarness.StartAsync([handler]);
        var running = await jobs.SubmitAsync("quantize");
        var queued = await jobs.SubmitAsync("quantize");
        await gates.Started(running.Id);

        await jobs.StopAsync();

        Assert.Equal(JobState.Interrupted, (await jobs.Store.GetJobAsync(running.Id))!.State);

        // Left for another replica, or this one's next start, to claim.
        Assert.Equal(JobState.Queued, (await jobs.Store.GetJobAsync(queued.Id))!.State);
    }

    private static TestJobHandler Succeeding(string kind) => new(kind, (context, _) =>
    {
        context.ReportProgress(0.5, "half way");
        return Task.FromResult(new JobResult(null, null, "done"));
    });
}
