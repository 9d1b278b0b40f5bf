using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Maas.Core.Serialization;

/// <summary>The JSON conventions of Maas' own documents (manifests, admin API): snake_case names, data types by protocol name.</summary>
public static class MaasJson
{
    /// <summary>Shared, read-only serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,

            // Names and messages as written ("model 'x'", "café"): these documents are JSON, never inlined into HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new TensorDataTypeJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
