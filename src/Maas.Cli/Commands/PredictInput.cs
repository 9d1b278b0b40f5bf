using System.Text.Json;
using System.Text.Json.Nodes;

namespace Maas.Cli.Commands;

/// <summary>Reads the INPUT argument of <c>maas predict</c>: JSON when it parses as JSON, otherwise plain text.</summary>
/// <remarks>So <c>'["a","b"]'</c> is a batch of two and <c>hello world</c> a string; quote it (<c>'"42"'</c>) to send a number as text.</remarks>
internal static class PredictInput
{
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
