using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.UnitTests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Jobs;

public sealed class JobProgressThrottleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Runner_ManyReportsWithinInterval_StoresFirstThenOnlyLatestAfterInterval()
    {
        await using var host = RegistryTestHost.Create();
        var store = new RecordingJobStore(host.Services.GetRequiredService<IJobStore>());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        var gates = new JobGates();
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new TestJobHandler("quantize", async (context, ct) =>
        {
            context.ReportProgress(0.10, "quantizing");
            await gates.WaitAsync(context.JobId + "/first", ct);
            for (var i = 11; i <= 40; i++)
            {
                context.ReportProgress(i / 100.0, "quantizing");
            }

            context.ReportProgress(0.405, "quantizing");
            reported.TrySetResult();
            await gates.WaitAsync(context.JobId + "/done", ct);
            return new JobResult(null, null, "done");
        });
        var runner = new JobRunner(store, [handler], new JobsOptions(), Path.Combine(host.DataDirectory, "jobs"), time, NullLogger<JobRunner>.Instance);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            var job = await runner.SubmitAsync(new JobRequest("quantize", JobRunnerHarness.Parameters(), "tester"));

            var first = await store.ProgressWrites.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
            gates.Open(job.Id + "/first");
            await reported.Task.WaitAsync(Timeout);
            time.Advance(TimeSpan.FromMilliseconds(250));
            var second = await store.ProgressWrites.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
            var live = await runner.GetAsync(job.Id);
            gates.Open(job.Id + "/done");

            Assert.Equal((0.10, "quantizing"), first);

            // Thirty reports inside one interval cost one write, of the latest value (0.405 differs by under 1% from
            // 0.40 but is what the job had reached when the interval ended).
            Assert.Equal((0.405, "quantizing"), second);
            Assert.Equal(0.405, live!.Progress);
            Assert.False(store.ProgressWrites.Reader.TryRead(out _));
            Assert.Equal(JobState.Succeeded, (await WaitFinishedAsync(runner, job.Id)).State);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
            runner.Dispose();
        }
    }

    private static async Task<JobRecord> WaitFinishedAsync(JobRunner runner, string id)
    {
        JobRecord? last = null;
        await foreach (var job in runner.WatchAsync(id).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            last = job;
        }

        return last!;
    }
}
