namespace Maas.Cli.Client;

/// <summary>Rows per second of parent and derived version at one batch size.</summary>
internal sealed record ThroughputInfo(int BatchSize, double ParentRowsPerSecond, double RowsPerSecond, double Ratio);
