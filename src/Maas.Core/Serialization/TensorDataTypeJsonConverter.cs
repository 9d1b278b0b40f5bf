using System.Text.Json;
using System.Text.Json.Serialization;
using Maas.Core.Tensors;

namespace Maas.Core.Serialization;

/// <summary>Writes and reads <see cref="TensorDataType"/> as its protocol name (<c>FP32</c>, <c>BYTES</c> ...).</summary>
public sealed class TensorDataTypeJsonConverter : JsonConverter<TensorDataType>
{
    public override TensorDataType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return TensorDataTypes.TryParse(text, out var type)
            ? type
            : throw new JsonException($"'{text}' is not a tensor data type; expected one of BOOL, UINT8 ... FP64, BYTES.");
    }

    public override void Write(Utf8JsonWriter writer, TensorDataType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToProtocolName());
}
