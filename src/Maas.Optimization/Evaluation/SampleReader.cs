using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;

namespace Maas.Optimization.Evaluation;

/// <summary>Reads evaluation and calibration samples written like a predict request: <c>{"text": "..."}</c> for text
/// models, <c>{"&lt;input name&gt;": nested array, ...}</c> for tensor models (one sample per object; the nested array may
/// leave out the batch dimension).</summary>
internal static class SampleReader
{
    /// <summary>Most samples read from a file or a job, so a huge file cannot stall a job.</summary>
    public const int MaxSamples = 1024;

    public static string ReadText(JsonElement sample, int index)
    {
        if (sample.ValueKind == JsonValueKind.String)
        {
            return sample.GetString()!;
        }

        if (sample.ValueKind == JsonValueKind.Object
            && (sample.TryGetProperty("text", out var text) || sample.TryGetProperty("prompt", out text))
            && text.ValueKind == JsonValueKind.String
            && text.GetString() is { Length: > 0 } value)
        {
            return value;
        }

        throw MaasException.InvalidArgument($"Sample {index}: a text model's sample is {{\"text\": \"...\"}} with a non-empty text.");
    }

    public static IReadOnlyList<Tensor> ReadTensors(JsonElement sample, IReadOnlyList<TensorSpec> inputs, int index)
    {
        if (sample.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument($"Sample {index}: expected an object with one nested array per input ({Names(inputs)}).");
        }

        foreach (var property in sample.EnumerateObject())
        {
            if (!inputs.Any(i => i.Name == property.Name))
            {
                throw MaasException.InvalidArgument($"Sample {index}: the model has no input '{property.Name}'; its inputs are {Names(inputs)}.");
            }
        }

        var feeds = new List<Tensor>(inputs.Count);
        foreach (var spec in inputs)
        {
            if (!sample.TryGetProperty(spec.Name, out var value))
            {
                throw MaasException.InvalidArgument($"Sample {index}: input '{spec.Name}' is missing.");
            }

            feeds.Add(ReadTensor(value, spec, index));
        }

        return feeds;
    }

    /// <summary>Reads a JSON array of samples (the job's <c>calibration</c> parameter).</summary>
    public static IReadOnlyList<JsonElement> ReadArray(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw MaasException.InvalidArgument("'calibration' must be a non-empty array of samples.");
        }

        if (array.GetArrayLength() > MaxSamples)
        {
            throw MaasException.InvalidArgument($"'calibration' has {array.GetArrayLength()} samples; at most {MaxSamples} are used.");
        }

        return [.. array.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>Reads JSON Lines (one sample per non-blank line).</summary>
    public static IReadOnlyList<JsonElement> ReadLines(string path, string displayName)
    {
        var samples = new List<JsonElement>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (samples.Count == MaxSamples)
            {
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                samples.Add(document.RootElement.Clone());
            }
            catch (JsonException e)
            {
                throw MaasException.InvalidArgument($"{displayName} line {line} is not JSON: {e.Message}");
            }
        }

        return samples.Count > 0 ? samples : throw MaasException.InvalidArgument($"{displayName} has no samples.");
    }

    private static Tensor ReadTensor(JsonElement value, TensorSpec spec, int index)
    {
        var shape = new List<long>();
        var probe = value;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                break;
            }

            probe = probe[0];
        }

        var batchAdded = shape.Count == spec.Shape.Count - 1;
        if (batchAdded)
        {
            shape.Insert(0, 1);
        }

        if (!spec.Accepts(shape.ToArray()) || shape.Contains(0))
        {
            throw MaasException.InvalidArgument(
                $"Sample {index}: input '{spec.Name}' has shape [{string.Join(", ", shape)}]; the model takes {spec.ShapeText} (the batch dimension may be left out).");
        }

        var values = new List<double>(Tensor.CountElements(shape.ToArray()));
        Flatten(value, shape, batchAdded ? 1 : 0, values, spec, index);
        if (values.Count != Tensor.CountElements(shape.ToArray()))
        {
            throw MaasException.InvalidArgument($"Sample {index}: input '{spec.Name}' is ragged; every row of a dimension must have the same length.");
        }

        return TensorValues.Create(spec.Name, spec.DataType, [.. shape], i => values[i]);
    }

    private static void Flatten(JsonElement value, List<long> shape, int depth, List<double> values, TensorSpec spec, int index)
    {
        if (depth == shape.Count)
        {
            values.Add(value.ValueKind switch
            {
                JsonValueKind.Number => Number(value, spec, index),
                JsonValueKind.True when spec.DataType == TensorDataType.Bool => 1,
                JsonValueKind.False when spec.DataType == TensorDataType.Bool => 0,
                _ => throw MaasException.InvalidArgument($"Sample {index}: input '{spec.Name}' is {spec.DataType.ToProtocolName()} but holds {value.ValueKind}."),
            });
            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != shape[depth])
        {
            throw MaasException.InvalidArgument($"Sample {index}: input '{spec.Name}' is ragged; every row of a dimension must have the same length.");
        }

        foreach (var item in value.EnumerateArray())
        {
            Flatten(item, shape, depth + 1, values, spec, index);
        }
    }

    private static double Number(JsonElement value, TensorSpec spec, int index)
    {
        var number = value.GetDouble();
        var integral = spec.DataType is not (TensorDataType.Fp16 or TensorDataType.Fp32 or TensorDataType.Fp64);
        if (integral && number != Math.Floor(number))
        {
            throw MaasException.InvalidArgument($"Sample {index}: input '{spec.Name}' is {spec.DataType.ToProtocolName()} but holds {number}.");
        }

        return number;
    }

    private static string Names(IReadOnlyList<TensorSpec> inputs) => string.Join(", ", inputs.Select(i => $"'{i.Name}'"));
}
