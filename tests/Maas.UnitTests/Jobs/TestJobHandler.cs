using Maas.Jobs;

namespace Maas.UnitTests.Jobs;

/// <summary>A job handler whose validation and work the test supplies; counts runs and how many overlap.</summary>
internal sealed class TestJobHandler(string kind, Func<JobContext, CancellationToken, Task<JobResult>> run) : IJobHandler
{
    private int _running;
    private int _maxRunning;
    private int _runs;

    public string Kind { get; } = kind;

    public bool IsCpuHeavy { get; init; } = true;

    public Func<JobRequest, Task>? Validate { get; init; }

    public int Runs => Volatile.Read(ref _runs);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public Task ValidateAsync(JobRequest request, CancellationToken cancellationToken) => Validate?.Invoke(request) ?? Task.CompletedTask;

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }

        try
        {
            return await run(context, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
