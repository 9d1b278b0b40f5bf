using System.Diagnostics;

namespace Maas.Bench;

/// <summary>One generation as its consumer saw it: when it was asked for, when each piece of text arrived, how many tokens it had.</summary>
/// <remarks>
/// Decode speed is (tokens − 1) over the time from the first to the last arrival, so it leaves out prompt
/// processing and time to first token, which are reported on their own.
/// </remarks>
internal sealed class StreamTiming
{
    public long Started { get; init; } = Stopwatch.GetTimestamp();

    public List<long> Arrivals { get; } = new(512);

    /// <summary>Tokens generated (the server's usage, or the baseline's count).</summary>
    public int Tokens { get; set; }

    public long Finished { get; set; }

    /// <summary>Prompt tokens as the server's usage (or the baseline's tokenizer) counted them; 0 when unknown.</summary>
    public int PromptTokens { get; set; }

    /// <summary>Time to the first arrival, or to the end when no text arrived (a held-back byte token).</summary>
    public double FirstOrEndMs => Stopwatch.GetElapsedTime(Started, Arrivals.Count > 0 ? Arrivals[0] : Finished).TotalMilliseconds;

    public double TimeToFirstTokenMs => Stopwatch.GetElapsedTime(Started, Arrivals[0]).TotalMilliseconds;

    public double DecodeTokensPerSecond => Arrivals.Count < 2 || Tokens < 2
        ? double.NaN
        : (Tokens - 1) / Stopwatch.GetElapsedTime(Arrivals[0], Arrivals[^1]).TotalSeconds;

    public IEnumerable<double> InterTokenMs()
    {
        for (var i = 1; i < Arrivals.Count; i++)
        {
            yield return Stopwatch.GetElapsedTime(Arrivals[i - 1], Arrivals[i]).TotalMilliseconds;
        }
    }
}
