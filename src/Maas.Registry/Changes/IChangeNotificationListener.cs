namespace Maas.Registry.Changes;

/// <summary>Wakes the change feed the moment another replica commits a change (PostgreSQL <c>LISTEN</c>), so the poll
/// interval bounds staleness only when notifications are lost.</summary>
internal interface IChangeNotificationListener
{
    /// <summary>Listens until <paramref name="cancellationToken"/> fires, calling <paramref name="wake"/> for each
    /// notification and after every (re)connection (notifications sent while disconnected are lost); reconnects on
    /// failure by itself.</summary>
    Task ListenAsync(Action wake, CancellationToken cancellationToken);
}
