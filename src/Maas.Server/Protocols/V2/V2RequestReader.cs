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
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static InferenceRequest Read(ReadOnlySpan<byte> json, int maxElements)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        Expect(ref reader, JsonTokenType.StartObject, "The request body must be a JSON object.");
        string? id = null;
        Dictionary<string, object?>? parameters = null;
        List<string>? outputs = null;
        var inputs = new List<Tensor>();
        var sawInputs = false;
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
                        ReadInputs(ref reader, json, inputs, maxElements);
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

            return new InferenceRequest { Id = id, Inputs = inputs, RequestedOutputs = outputs, Parameters = parameters };
        }
        catch
        {
            inputs.ForEach(t => t.Dispose());
            throw;
        }
    }

    private static void ReadInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, List<Tensor> inputs, int maxElements)
    {
        EnsureToken(ref reader, JsonTokenType.StartArray, "'inputs' must be an array.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            EnsureToken(ref reader, JsonTokenType.StartObject, "Each input must be an object.");
            var input = ReadInput(ref reader, json, maxElements);
            inputs.Add(input);
            if (!names.Add(input.Name))
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' is given twice.");
            }
        }
    }

    private static Tensor ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int maxElements)
    {
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        var dataStart = -1L;
        var dataEnd = -1L;
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
                    if (parameters.ContainsKey("binary_data_size"))
                    {
                        throw MaasException.InvalidArgument("The binary tensor data extension is not supported; send 'data' as JSON.");
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

        if (dataStart < 0)
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

    private static List<string> ReadOutputs(ref Utf8JsonReader reader)
    {
        EnsureToken(ref reader, JsonTokenType.StartArray, "'outputs' must be an array.");
        var names = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            EnsureToken(ref reader, JsonTokenType.StartObject, "Each requested output must be an object.");
            string? name = null;
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
                        ReadParameters(ref reader);
                        break;
                    default:
                        throw MaasException.InvalidArgument($"Unknown field '{field}' in a requested output.");
                }
            }

            names.Add(name ?? throw MaasException.InvalidArgument("A requested output has no 'name'."));
        }

        return names;
    }

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
