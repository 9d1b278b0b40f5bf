namespace Maas.Server.Security.Limits;

/// <summary>The clock rate limits and token quotas read; its own registration so tests can move it without moving
/// the batching windows and timeouts that share the server's <see cref="TimeProvider"/>.</summary>
internal sealed class LimitsClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
