using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>A parsed and validated <c>POST /v1/embeddings</c> body.</summary>
internal sealed record EmbeddingsRequest(string Model, IReadOnlyList<string> Inputs, bool Base64, int? Dimensions)
{
    public static EmbeddingsRequest Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("The body must be a JSON object.");
        }

        string? model = null;
        List<string>? inputs = null;
        var base64 = false;
        int? dimensions = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "model":
                    model = value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid("'model' must be a string.");
                    break;
                case "input":
                    inputs = ReadInput(value);
                    break;
                case "encoding_format":
                    base64 = value.ValueKind == JsonValueKind.String ? value.GetString() switch
                    {
                        "float" => false,
                        "base64" => true,
                        var other => throw Invalid($"'encoding_format' must be 'float' or 'base64', not '{other}'."),
                    } : throw Invalid("'encoding_format' must be a string.");
                    break;
                case "dimensions":
                    dimensions = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var d) && d > 0
                        ? d
                        : throw Invalid("'dimensions' must be a positive integer.");
                    break;
                case "user":
                    break;
                default:
                    throw Invalid($"Unknown field '{property.Name}'.");
            }
        }

        if (string.IsNullOrEmpty(model))
        {
            throw Invalid("'model' is required.");
        }

        return new EmbeddingsRequest(model, inputs ?? throw Invalid("'input' is required."), base64, dimensions);
    }

    private static List<string> ReadInput(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("'input' must be a string or an array of strings.");
        }

        var inputs = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            inputs.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Number or JsonValueKind.Array => throw Invalid("Token-id input is not supported: the model tokenizes text itself; send strings."),
                _ => throw Invalid("'input' must be a string or an array of strings."),
            });
        }

        return inputs.Count > 0 ? inputs : throw Invalid("'input' must not be empty.");
    }

    private static MaasException Invalid(string message) => MaasException.InvalidArgument(message);
}

/// <summary>The <c>POST /v1/embeddings</c> body, for the OpenAPI document.</summary>
internal sealed record EmbeddingsRequestDoc(
    [property: System.Text.Json.Serialization.JsonPropertyName("model")] string Model,
    [property: System.Text.Json.Serialization.JsonPropertyName("input")] JsonElement Input,
    [property: System.Text.Json.Serialization.JsonPropertyName("encoding_format")] string? EncodingFormat,
    [property: System.Text.Json.Serialization.JsonPropertyName("dimensions")] int? Dimensions,
    [property: System.Text.Json.Serialization.JsonPropertyName("user")] string? User);
