using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Server.Protocols.V2;

/// <summary>Parses an Open Inference Protocol v2 JSON inference request.</summary>
/// <remarks>
/// Field order is free in JSON, so each input's <c>data</c> is located first and parsed once its
/// <c>datatype</c> and <c>shape</c> are known; numeric data goes straight into pooled typed arrays.
/// Fields the protocol does not define are refused, so a misspelt field is an error, not silently ignored.
/// </remarks>
internal static class V2RequestReader
{
    public static InferenceRequest Read(ReadOnlySpan<byte> json, int maxElements)
    {
        var request = Read(json, [], maxElements);
        return request.Request;
    }

    /// <summary>Parses a request whose inputs may take their data from <paramref name="binary"/> (the bytes after the
    /// JSON part, binary tensor data extension): each input with <c>parameters.binary_data_size</c> takes that many
    /// bytes, in input order, and together they must use the binary part exactly.</summary>
    public static V2Request Read(ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, int maxElements, int maxDepth = 64)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        Expect(ref reader, JsonTokenType.StartObject, "The request body must be a JSON object.");
        string? id = null;
        Dictionary<string, object?>? parameters = null;
        List<V2OutputRequest>? outputs = null;
        var inputs = new List<Tensor>();
        var sawInputs = false;
        var binaryOffset = 0;
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var field = reader.GetString()!;
                Next(ref reader);
                switch (field)
                {
                    case "id":
                        id = ReadString(ref reader, "id");
                        break;
                    case "parameters":
                        parameters = ReadParameters(ref reader);
                        break;
                    case "inputs":
                        sawInputs = true;
                        ReadInputs(ref reader, json, binary, ref binaryOffset, inputs, maxElements);
                        break;
                    case "outputs":
                        outputs = ReadOutputs(ref reader);
                        break;
                    default:
                        throw MaasException.InvalidArgument($"Unknown field '{field}' in the inference request.");
                }
            }

            // Only whitespace may follow the request object (the reader throws on anything else).
            if (reader.Read())
            {
                throw MaasException.InvalidArgument("Malformed JSON: unexpected content after the request object.");
            }

            if (!sawInputs || inputs.Count == 0)
            {
                throw MaasException.InvalidArgument("The inference request has no inputs.");
            }

            if (binaryOffset != binary.Length)
            {
                throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                    $"The body has {binary.Length} bytes after the JSON part, but the inputs' binary_data_size add up to {binaryOffset}."));
            }

            var binaryOutputs = parameters is not null && parameters.TryGetValue(V2BinaryData.BinaryDataOutput, out var all)
                && ReadFlag(all, V2BinaryData.BinaryDataOutput, "the request");
            var request = new InferenceRequest { Id = id, Inputs = inputs, RequestedOutputs = outputs?.Select(o => o.Name).ToList(), Parameters = parameters };
            return new V2Request(request, outputs, binaryOutputs);
        }
        catch
        {
            inputs.ForEach(t => t.Dispose());
            throw;
        }
    }

    private static void ReadInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, ref int binaryOffset, List<Tensor> inputs, int maxElements)
    {
        EnsureToken(ref reader, JsonTokenType.StartArray, "'inputs' must be an array.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            EnsureToken(ref reader, JsonTokenType.StartObject, "Each input must be an object.");
            var input = ReadInput(ref reader, json, binary, ref binaryOffset, maxElements);
            inputs.Add(input);
            if (!names.Add(input.Name))
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' is given twice.");
            }
        }
    }

    private static Tensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, ref int binaryOffset, int maxElements)
    {
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        var dataStart = -1L;
        var dataEnd = -1L;
        long? binarySize = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            Next(ref reader);
            switch (field)
            {
                case "name":
                    name = ReadString(ref reader, "input name");
                    break;
                case "datatype":
                    datatype = ReadString(ref reader, "datatype");
                    break;
                case "shape":
                    shape = ReadShape(ref reader);
                    break;
                case "parameters":
                    var parameters = ReadParameters(ref reader);
                    if (parameters.TryGetValue(V2BinaryData.BinaryDataSize, out var size))
                    {
                        binarySize = size is JsonElement { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var bytes) && bytes >= 0
                            ? bytes
                            : throw MaasException.InvalidArgument($"'{V2BinaryData.BinaryDataSize}' must be a non-negative integer.");
                    }

                    break;
                case "data":
                    dataStart = reader.TokenStartIndex;
                    reader.Skip();
                    dataEnd = reader.BytesConsumed;
                    break;
                default:
                    throw MaasException.InvalidArgument($"Unknown field '{field}' in an input.");
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw MaasException.InvalidArgument("An input has no 'name'.");
        }

        if (datatype is null)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has no 'datatype'.");
        }

        if (!TensorDataTypes.TryParse(datatype, out var type))
        {
            throw MaasException.InvalidArgument($"Input '{name}' has datatype '{datatype}'; expected one of {string.Join(", ", TensorDataTypes.All.Select(t => t.ToProtocolName()))}.");
        }

        if (shape is null)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has no 'shape'.");
        }

        if (binarySize is not null && dataStart >= 0)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has both 'data' and '{V2BinaryData.BinaryDataSize}'; send one.");
        }

        if (dataStart < 0 && binarySize is null)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has no 'data'.");
        }

        if (shape.Length > 0 && shape[0] == 0)
        {
            throw MaasException.InvalidArgument($"Input '{name}' is an empty batch (shape [{string.Join(", ", shape)}]); send at least one item.");
        }

        long count = 1;
        foreach (var dim in shape)
        {
            // count <= maxElements here; saturate rather than let a huge dimension overflow the product.
            count = dim != 0 && count > maxElements / dim ? (long)maxElements + 1 : count * dim;
            if (count > maxElements)
            {
                throw new MaasException(MaasErrorKind.PayloadTooLarge, $"Input '{name}' has more than {maxElements} elements, the server's limit.");
            }
        }

        if (binarySize is { } byteCount)
        {
            if (byteCount > binary.Length - binaryOffset)
            {
                throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                    $"Input '{name}' has {V2BinaryData.BinaryDataSize} {byteCount}, but only {binary.Length - binaryOffset} bytes of binary data remain after the JSON part (Inference-Header-Content-Length)."));
            }

            var slice = binary.Slice(binaryOffset, (int)byteCount);
            binaryOffset += (int)byteCount;
            return V2BinaryData.Read(name, type, shape, (int)count, slice);
        }

        return V2TensorDataReader.Read(name, type, shape, (int)count, json[(int)dataStart..(int)dataEnd]);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartArray, "'shape' must be an array of non-negative integers.");
        var dims = new List<long>(4);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw MaasException.InvalidArgument("'shape' must be an array of non-negative integers.");
            }

            if (dims.Count == 32)
            {
                throw MaasException.InvalidArgument("'shape' has more than 32 dimensions.");
            }

            dims.Add(dim);
        }

        return [.. dims];
    }

    private static List<V2OutputRequest> ReadOutputs(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartArray, "'outputs' must be an array.");
        var outputs = new List<V2OutputRequest>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            EnsureToken(ref reader, JsonTokenType.StartObject, "Each requested output must be an object.");
            string? name = null;
            bool? binary = null;
            int? classification = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var field = reader.GetString()!;
                Next(ref reader);
                switch (field)
                {
                    case "name":
                        name = ReadString(ref reader, "output name");
                        break;
                    case "parameters":
                        var parameters = ReadParameters(ref reader);
                        if (parameters.TryGetValue(V2BinaryData.BinaryData, out var flag))
                        {
                            binary = ReadFlag(flag, V2BinaryData.BinaryData, "a requested output");
                        }

                        if (parameters.TryGetValue("classification", out var k))
                        {
                            classification = k is JsonElement { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var count) && count >= 1
                                ? count
                                : throw MaasException.InvalidArgument("'classification' must be a positive integer (the number of classes to return).");
                        }

                        break;
                    default:
                        throw MaasException.InvalidArgument($"Unknown field '{field}' in a requested output.");
                }
            }

            if (name is null)
            {
                throw MaasException.InvalidArgument("A requested output has no 'name'.");
            }

            if (outputs.Any(o => o.Name == name))
            {
                throw MaasException.InvalidArgument($"Output '{name}' is requested twice.");
            }

            outputs.Add(new V2OutputRequest(name, binary, classification));
        }

        return outputs;
    }

    private static bool ReadFlag(object? value, string parameter, string where) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        _ => throw MaasException.InvalidArgument($"'{parameter}' in {where}'s parameters must be true or false."),
    };

    private static Dictionary<string, object?> ReadParameters(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartObject, "'parameters' must be an object.");
        using var document = JsonDocument.ParseValue(ref reader);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }

        return result;
    }

    private static string ReadString(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw MaasException.InvalidArgument($"'{what}' must be a string.");

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw MaasException.InvalidArgument("Malformed JSON: the body ends early.");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string message)
    {
        Next(ref reader);
        EnsureToken(ref reader, type, message);
    }

    private static void EnsureToken(ref Utf8JsonReader reader, JsonTokenType type, string message)
    {
        if (reader.TokenType != type)
        {
            throw MaasException.InvalidArgument(message);
        }
    }
}
