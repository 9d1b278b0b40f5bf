namespace Maas.Registry.Changes;

/// <summary>Where a replica is in the change feed, and which ids it has not seen although later ones exist.</summary>
/// <remarks>
/// A generated id is taken when a row is inserted, not when its transaction commits, so on a database with
/// concurrent writers a reader may see id 11 before id 10 commits. Such holes are remembered for
/// <see cref="GapTimeout"/> and the feed reads from just below the oldest of them, so a late commit is still seen;
/// a hole older than that is a rolled-back insert (ids are not given back) and is forgotten.
/// </remarks>
internal sealed class ChangeCursor(long position, TimeSpan gapTimeout)
{
    /// <summary>Holes wider than this are not tracked one by one (a jump that large is a restore or a reset, not
    /// transactions in flight).</summary>
    private const int MaxTrackedGap = 1000;

    private readonly Dictionary<long, DateTimeOffset> _gaps = [];

    public long Position { get; private set; } = position;

    public TimeSpan GapTimeout { get; } = gapTimeout;

    /// <summary>Read changes with ids above this: the position, or just below the oldest open hole.</summary>
    public long ReadFrom => _gaps.Count == 0 ? Position : Math.Min(Position, _gaps.Keys.Min() - 1);

    public int OpenGaps => _gaps.Count;

    /// <summary>The rows (read from <see cref="ReadFrom"/>, in id order) not seen before; advances the position.</summary>
    public List<RegistryChange> Accept(IReadOnlyList<RegistryChange> rows, DateTimeOffset now)
    {
        var fresh = new List<RegistryChange>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Id > Position)
            {
                if (row.Id - Position - 1 <= MaxTrackedGap)
                {
                    for (var missing = Position + 1; missing < row.Id; missing++)
                    {
                        _gaps[missing] = now;
                    }
                }

                Position = row.Id;
                fresh.Add(row);
            }
            else if (_gaps.Remove(row.Id))
            {
                fresh.Add(row);
            }
        }

        foreach (var (id, since) in _gaps.ToList())
        {
            if (now - since >= GapTimeout)
            {
                _gaps.Remove(id);
            }
        }

        return fresh;
    }
}
