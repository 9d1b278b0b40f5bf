using Maas.Registry.Abstractions;

namespace Maas.Registry.Metadata;

/// <summary>Reads a model's lineage graph: its versions, then their ancestors breadth-first across models.</summary>
internal static class LineageReader
{
    /// <summary>Stops a pathological graph from reading the whole registry; real ancestries are a handful of versions.</summary>
    private const int MaxNodes = 10_000;

    public static async Task<LineageGraph> ReadAsync(DbSession session, ModelRow model, CancellationToken cancellationToken)
    {
        var nodes = new List<LineageNode>();
        var seen = new HashSet<(string, int)>();
        var pending = new Queue<(string Model, int Version)>();
        var models = new Dictionary<string, ModelVersions?>(StringComparer.Ordinal);

        var own = await LoadAsync(session, model, cancellationToken).ConfigureAwait(false);
        models[model.Name] = own;
        foreach (var number in own.Rows.Keys.OrderDescending())
        {
            seen.Add((model.Name, number));
            pending.Enqueue((model.Name, number));
        }

        while (pending.TryDequeue(out var key) && nodes.Count < MaxNodes)
        {
            if (!models.TryGetValue(key.Model, out var versions))
            {
                var row = await RegistryQueries.FindModelAsync(session, key.Model, cancellationToken).ConfigureAwait(false);
                versions = row is null ? null : await LoadAsync(session, row, cancellationToken).ConfigureAwait(false);
                models[key.Model] = versions;
            }

            if (versions is null || !versions.Rows.TryGetValue(key.Version, out var version))
            {
                nodes.Add(new LineageNode(key.Model, key.Version, Exists: false, Lineage: null, CreatedAt: null));
                continue;
            }

            var lineage = RegistryMapper.ToLineage(version, versions.Parents[version.Id]);
            nodes.Add(new LineageNode(key.Model, key.Version, Exists: true, lineage, version.CreatedAt));
            foreach (var parent in lineage?.Parents ?? [])
            {
                if (seen.Add((parent.Model, parent.Version)))
                {
                    pending.Enqueue((parent.Model, parent.Version));
                }
            }
        }

        return new LineageGraph(model.Name, nodes);
    }

    private static async Task<ModelVersions> LoadAsync(DbSession session, ModelRow model, CancellationToken cancellationToken)
    {
        var rows = await RegistryQueries.VersionsAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
        var parents = await RegistryQueries.ParentsAsync(session, model.Id, null, cancellationToken).ConfigureAwait(false);
        return new ModelVersions(rows.ToDictionary(r => r.Number), parents.ToLookup(p => p.VersionId));
    }

    private sealed record ModelVersions(Dictionary<int, VersionRow> Rows, ILookup<long, ParentRow> Parents);
}
