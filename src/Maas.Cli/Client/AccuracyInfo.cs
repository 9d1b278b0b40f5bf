namespace Maas.Cli.Client;

/// <summary>Agreement of a derived version's outputs with its parent's.</summary>
internal sealed record AccuracyInfo(string Metric, double Mean, double Min, int Samples, string? InputSource);
