using System.Text.Json;
using Maas.Cli.Client;

namespace Maas.Cli.Output;

/// <summary>Lineage as one line of text: parents with their roles, the transform with its parameters, the job.</summary>
internal static class LineageText
{
    /// <summary>E.g. <c>all-minilm-l6-v2:1 (source)</c>.</summary>
    public static string Parents(ModelLineage lineage) =>
        lineage.Parents.Count == 0 ? "-" : string.Join(", ", lineage.Parents.Select(p => $"{p.Model}:{p.Version}" + (p.Role is { Length: > 0 } role ? $" ({role})" : string.Empty)));

    /// <summary>E.g. <c>quantize (method=dynamic-int8, per_channel=true)</c>.</summary>
    public static string Transform(ModelLineage lineage) =>
        (lineage.Transform ?? "?") + (lineage.Parameters is { Count: > 0 } p
            ? " (" + string.Join(", ", p.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Value(kv.Value)}")) + ")"
            : string.Empty);

    private static string Value(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
