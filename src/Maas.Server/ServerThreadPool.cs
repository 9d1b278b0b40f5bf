namespace Maas.Server;

/// <summary>Raises the thread pool's minimum worker threads so that engine calls blocking pool threads do not starve
/// request handling (<c>Maas:Server:MinWorkerThreads</c>).</summary>
/// <remarks>
/// An ONNX Runtime call blocks the pool thread it runs on for its whole duration (one per busy instance). Under
/// overload the runtime's default minimum (one thread per core) leaves a few threads for parsing, admitting and
/// refusing requests, and it adds threads slowly because the cores are already busy: measured at 4× the sustainable
/// rate, a refusal waited behind 71 queued work items on 5 pool threads (docs/benchmarks.md, "Pool threads under
/// overload"). With the minimum raised, clients saw 429 at p99 10–97 ms over nine runs instead of 31–564 ms over
/// three; closed-loop throughput at full load did not change beyond this machine's round-to-round spread.
/// </remarks>
internal static class ServerThreadPool
{
    /// <summary>Worker threads per core when <c>Maas:Server:MinWorkerThreads</c> is not set.</summary>
    public const int DefaultPerCore = 5;

    public static int DefaultMinWorkers => DefaultPerCore * Environment.ProcessorCount;

    /// <summary>Raises the minimum to <paramref name="workers"/> (never lowers it; 0 or less leaves the runtime's).</summary>
    public static int Apply(int workers)
    {
        ThreadPool.GetMinThreads(out var current, out var io);
        if (workers > current)
        {
            ThreadPool.SetMinThreads(workers, io);
        }

        ThreadPool.GetMinThreads(out current, out _);
        return current;
    }
}
