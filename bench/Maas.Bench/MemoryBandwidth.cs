using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Maas.Bench;

/// <summary>Streaming-read bandwidth of main memory: threads each sum their share of an array far larger than the caches.</summary>
/// <remarks>
/// The array (512 MiB by default) is written once so its pages exist, then each measurement reads all of it with
/// vector loads and adds the lanes up (the sum is returned so the reads cannot be dropped). This is what decoding a
/// model does with its weights: one pass over every matrix per token, no reuse between tokens.
/// </remarks>
internal sealed class MemoryBandwidth
{
    private readonly ulong[] _data;

    public MemoryBandwidth(long bytes = 512L << 20)
    {
        _data = GC.AllocateUninitializedArray<ulong>(checked((int)(bytes / sizeof(ulong))), pinned: true);
        for (var i = 0; i < _data.Length; i++)
        {
            _data[i] = (ulong)i * 0x9E3779B97F4A7C15UL;
        }
    }

    public long Bytes => (long)_data.Length * sizeof(ulong);

    /// <summary>Bytes per second read by <paramref name="threads"/> threads together, each over its own contiguous share.</summary>
    public double Measure(int threads)
    {
        var share = _data.Length / threads;
        var sums = new ulong[threads];
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var span = _data.AsSpan(t * share, t == threads - 1 ? _data.Length - (t * share) : share);
            start.SignalAndWait();
            sums[t] = Sum(span);
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var started = Stopwatch.GetTimestamp();
        workers.ForEach(w => w.Join());
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        GC.KeepAlive(sums.Aggregate(0UL, (a, b) => a ^ b));
        return Bytes / seconds;
    }

    private static ulong Sum(ReadOnlySpan<ulong> span)
    {
        var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(span);
        Vector<ulong> a = default, b = default, c = default, d = default;
        var i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        var total = Vector.Sum(a + b + c + d);
        for (var j = vectors.Length * Vector<ulong>.Count; j < span.Length; j++)
        {
            total += span[j];
        }

        return total;
    }
}
