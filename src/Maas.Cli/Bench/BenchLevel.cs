using System.Globalization;

namespace Maas.Cli.Bench;

/// <summary>One load level: a closed loop of <see cref="Concurrency"/> clients, or an open loop of Poisson arrivals
/// at <see cref="Rate"/> requests per second.</summary>
internal sealed record BenchLevel(int? Concurrency, double? Rate)
{
    public string Label => Concurrency is { } c
        ? $"concurrency {c}"
        : $"rate {Rate!.Value.ToString("0.##", CultureInfo.InvariantCulture)}/s";
}
