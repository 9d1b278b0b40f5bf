using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Renders <c>maas models lineage</c>: each version of the model, newest first, with its parents beneath it
/// (and theirs), each derived version showing its transform, parameters and job.</summary>
internal static class LineageTreeView
{
    public static void Write(IAnsiConsole console, LineageGraphInfo graph)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var own = graph.Nodes.Where(n => n.Model == graph.Model).OrderByDescending(n => n.Version).ToList();
        if (own.Count == 0)
        {
            console.WriteLine($"{graph.Model} has no versions.");
            return;
        }

        var tree = new Tree(Markup.Escape(graph.Model));
        foreach (var node in own)
        {
            Add(tree.AddNode(Label(node, role: null)), node, nodes, [Key(node)]);
        }

        console.Write(tree);
    }

    /// <summary>One line for a version: <c>name:V (role)  ← transform (params)  job ID</c>, or <c>pushed</c>.</summary>
    public static string Label(LineageNodeInfo node, string? role)
    {
        var text = Key(node) + (role is { Length: > 0 } ? $" ({role})" : string.Empty);
        if (!node.Exists)
        {
            return Markup.Escape(text) + " [grey](deleted)[/]";
        }

        if (node.Lineage is not { } lineage)
        {
            return Markup.Escape(text) + " [grey]pushed[/]";
        }

        var job = lineage.JobId is { Length: > 0 } id ? $"  job {id}" : string.Empty;
        return Markup.Escape(text) + " ← " + Markup.Escape(LineageText.Transform(lineage) + job);
    }

    private static void Add(IHasTreeNodes parent, LineageNodeInfo node, Dictionary<string, LineageNodeInfo> nodes, HashSet<string> path)
    {
        foreach (var p in node.Lineage?.Parents ?? [])
        {
            var key = $"{p.Model}:{p.Version}";
            var child = nodes.TryGetValue(key, out var known) ? known : new LineageNodeInfo { Model = p.Model, Version = p.Version, Exists = false };
            var added = parent.AddNode(Label(child, p.Role));
            if (path.Add(key))
            {
                Add(added, child, nodes, path);
                path.Remove(key);
            }
        }
    }

    private static string Key(LineageNodeInfo node) => $"{node.Model}:{node.Version}";
}
