using System.Text.Json;

namespace Maas.Cli.Output;

/// <summary>Recognises JSON that is a rectangular nested array of numbers (an embedding, logits) and walks it.</summary>
internal static class NumericTensor
{
    /// <summary>The shape of <paramref name="element"/> when it is a rectangular array of numbers.</summary>
    public static bool TryGetShape(JsonElement element, out IReadOnlyList<int> shape)
    {
        var found = Shape(element);
        shape = found ?? [];
        return found is { Count: > 0 };
    }

    /// <summary>The innermost arrays (rows along the last dimension), in order.</summary>
    public static IEnumerable<JsonElement> Rows(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        if (element.GetArrayLength() == 0 || element[0].ValueKind != JsonValueKind.Array)
        {
            yield return element;
            yield break;
        }

        foreach (var child in element.EnumerateArray())
        {
            foreach (var row in Rows(child))
            {
                yield return row;
            }
        }
    }

    private static List<int>? Shape(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        List<int>? inner = null;
        foreach (var child in element.EnumerateArray())
        {
            var childShape = Shape(child);
            if (childShape is null || (inner is not null && !inner.SequenceEqual(childShape)))
            {
                return null;
            }

            inner ??= childShape;
        }

        return [element.GetArrayLength(), .. inner ?? []];
    }
}
