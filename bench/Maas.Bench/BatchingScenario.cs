namespace Maas.Bench;

/// <summary>One measured load: a path (in-process setting or server), its concurrency, the rows each call carries,
/// and the call itself.</summary>
internal sealed record BatchingScenario(string Path, int Concurrency, int RowsPerCall, Func<int, Task> Call)
{
    public string Key => $"{Path} c={Concurrency}" + (RowsPerCall > 1 ? $" ×{RowsPerCall}" : string.Empty);
}
