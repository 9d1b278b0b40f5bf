namespace Maas.Registry.Changes;

/// <summary>How a replica follows the registry changes other replicas make; bound from <c>Maas:Registry</c>.</summary>
/// <remarks>
/// Each replica polls the <c>registry_changes</c> table every <see cref="ChangePollInterval"/> (one indexed query);
/// on PostgreSQL a <c>LISTEN</c> connection wakes it at once, so the poll is only the fallback. A change made by this
/// process is announced locally when it commits and skipped by the poll.
/// </remarks>
public sealed class ChangeFeedOptions
{
    /// <summary>Time between two polls of the change feed (<c>Maas:Registry:ChangePollInterval</c>); 1 s by default,
    /// the bound on how stale a replica is where no notification arrives.</summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long change rows are kept (<c>Maas:Registry:ChangeRetention</c>); older ones are deleted by
    /// whichever replica prunes first. A replica that cannot read the feed for longer re-reads every model.</summary>
    public TimeSpan ChangeRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an id seen missing below a later one is waited for (a transaction committing out of id
    /// order) before it is taken for a rolled-back insert (<c>Maas:Registry:ChangeGapTimeout</c>).</summary>
    public TimeSpan ChangeGapTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
