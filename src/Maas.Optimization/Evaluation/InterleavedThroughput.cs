namespace Maas.Optimization.Evaluation;

/// <summary>Measures two models' throughput side by side: after a warm-up, rounds alternate which side runs first
/// (A B, B A, A B ...), each side repeating its call for about the same time; the median of each side's rounds is
/// its figure, so drift in the machine's load hits both equally.</summary>
internal sealed class InterleavedThroughput(TimeProvider time, int rounds, TimeSpan measurementTime)
{
    /// <summary>One call of a side: does its work and returns the rows (or tokens) it processed.</summary>
    public delegate Task<int> Call(CancellationToken cancellationToken);

    public async Task<(double ParentRowsPerSecond, double RowsPerSecond)> MeasureAsync(Call parent, Call result, CancellationToken cancellationToken)
    {
        // Warm-up: first calls pay for allocations and lazy initialisation; the second times the call.
        await parent(cancellationToken).ConfigureAwait(false);
        await result(cancellationToken).ConfigureAwait(false);
        var parentCalls = await CallsToFillAsync(parent, cancellationToken).ConfigureAwait(false);
        var resultCalls = await CallsToFillAsync(result, cancellationToken).ConfigureAwait(false);

        var parentRates = new List<double>(rounds);
        var resultRates = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                parentRates.Add(await RateAsync(parent, parentCalls, cancellationToken).ConfigureAwait(false));
                resultRates.Add(await RateAsync(result, resultCalls, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                resultRates.Add(await RateAsync(result, resultCalls, cancellationToken).ConfigureAwait(false));
                parentRates.Add(await RateAsync(parent, parentCalls, cancellationToken).ConfigureAwait(false));
            }
        }

        return (Median(parentRates), Median(resultRates));
    }

    public static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private async Task<int> CallsToFillAsync(Call call, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        await call(cancellationToken).ConfigureAwait(false);
        var once = time.GetElapsedTime(start);
        return once <= TimeSpan.Zero ? 1000 : (int)Math.Clamp(Math.Ceiling(measurementTime / once), 1, 1000);
    }

    private async Task<double> RateAsync(Call call, int calls, CancellationToken cancellationToken)
    {
        var rows = 0L;
        var start = time.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            rows += await call(cancellationToken).ConfigureAwait(false);
        }

        var seconds = time.GetElapsedTime(start).TotalSeconds;
        return seconds > 0 ? rows / seconds : 0;
    }
}
