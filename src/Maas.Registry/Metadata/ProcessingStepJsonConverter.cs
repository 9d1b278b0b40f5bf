using System.Text.Json;
using System.Text.Json.Serialization;
using Maas.Core.Models;

namespace Maas.Registry.Metadata;

/// <summary>Reads and writes <see cref="ProcessingStep"/> as <c>{"name": ..., "parameters": {...}}</c>.</summary>
/// <remarks>
/// System.Text.Json cannot pick between ProcessingStep's two public constructors, so it refuses to deserialize it.
/// A <c>[JsonConstructor]</c> on the primary constructor in Maas.Core would make this converter unnecessary.
/// </remarks>
internal sealed class ProcessingStepJsonConverter : JsonConverter<ProcessingStep>
{
    public override ProcessingStep Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A processing step must be a JSON object.");
        }

        string? name = null;
        Dictionary<string, string> parameters = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "name":
                    name = reader.GetString();
                    break;
                case "parameters":
                    parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(ref reader, options) ?? [];
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return string.IsNullOrEmpty(name) ? throw new JsonException("A processing step needs a name.") : new ProcessingStep(name, parameters);
    }

    public override void Write(Utf8JsonWriter writer, ProcessingStep value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("name", value.Name);
        writer.WritePropertyName("parameters");
        JsonSerializer.Serialize(writer, value.Parameters, options);
        writer.WriteEndObject();
    }
}
