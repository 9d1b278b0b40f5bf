namespace Maas.Optimization.Evaluation;

/// <summary>How a quantize job measures its report (<c>Maas:Optimization:Report</c>).</summary>
public sealed class ReportOptions
{
    public const string Section = "Maas:Optimization:Report";

    public const string Rule = "Maas:Optimization:Report: Rounds 1-101, MeasurementTime 1 ms-10 min, GeneratedTokens 1-512, LargeBatch 1-4096.";

    /// <summary>Rounds of the interleaved throughput comparison (parent, result, result, parent, ...); the report
    /// gives the median of each side. Many short rounds rather than a few long ones, so a change in the machine's load
    /// lands on both sides.</summary>
    public int Rounds { get; set; } = 15;

    /// <summary>Roughly how long one side of one round runs; calls are repeated to fill it.</summary>
    public TimeSpan MeasurementTime { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Tokens generated per prompt for greedy-token agreement and generator throughput.</summary>
    public int GeneratedTokens { get; set; } = 16;

    /// <summary>The larger batch measured (rows per call; sequences per step for generators: capped at 8).</summary>
    public int LargeBatch { get; set; } = 32;

    internal bool IsValid() =>
        Rounds is >= 1 and <= 101
        && MeasurementTime >= TimeSpan.FromMilliseconds(1) && MeasurementTime <= TimeSpan.FromMinutes(10)
        && GeneratedTokens is >= 1 and <= 512
        && LargeBatch is >= 1 and <= 4096;
}
