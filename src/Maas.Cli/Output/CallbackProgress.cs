namespace Maas.Cli.Output;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread.</summary>
/// <remarks><see cref="Progress{T}"/> would post each report to the thread pool, reordering and delaying byte counts.</remarks>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
