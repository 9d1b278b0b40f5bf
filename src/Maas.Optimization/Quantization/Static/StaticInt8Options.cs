using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Optimization.Quantization.Static;

/// <summary>The options of the <c>static-int8</c> pass, parsed from the job's options object.</summary>
/// <remarks>Keys: <c>method</c> (<c>minmax</c> default, <c>percentile</c>, <c>entropy</c>), <c>per_channel</c> (true),
/// <c>op_types</c> (default: Conv, MatMul, Gemm and the ops QDQ propagates through), <c>exclude</c> (node names),
/// <c>activation_type</c> (<c>uint8</c> asymmetric default, <c>int8</c> symmetric), <c>percentile</c> (99.999).</remarks>
internal sealed record StaticInt8Options
{
    /// <summary>Ops whose weights are quantized (int8 symmetric, per output channel).</summary>
    public static readonly IReadOnlySet<string> WeightedOps = new HashSet<string>(StringComparer.Ordinal) { "Conv", "MatMul", "Gemm" };

    /// <summary>Every op the pass knows how to surround with QuantizeLinear/DequantizeLinear.</summary>
    public static readonly IReadOnlyList<string> SupportedOps =
        ["Conv", "MatMul", "Gemm", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Concat", "Reshape"];

    private static readonly string[] Keys = ["method", "per_channel", "op_types", "exclude", "activation_type", "percentile"];

    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    public bool PerChannel { get; init; } = true;

    public IReadOnlySet<string> OpTypes { get; init; } = new HashSet<string>(SupportedOps, StringComparer.Ordinal);

    public IReadOnlySet<string> Exclude { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True: activations int8 symmetric (zero point 0); false: uint8 asymmetric.</summary>
    public bool SymmetricActivations { get; init; }

    public double Percentile { get; init; } = 99.999;

    public static StaticInt8Options Parse(JsonElement options)
    {
        if (options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new StaticInt8Options();
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("static-int8 options must be a JSON object.");
        }

        var result = new StaticInt8Options();
        foreach (var property in options.EnumerateObject())
        {
            var value = property.Value;
            result = property.Name switch
            {
                "method" => result with { Method = ParseMethod(value) },
                "per_channel" => result with { PerChannel = ParseBool(property.Name, value) },
                "op_types" => result with { OpTypes = ParseOpTypes(value) },
                "exclude" => result with { Exclude = ParseStrings(property.Name, value).ToHashSet(StringComparer.Ordinal) },
                "activation_type" => result with { SymmetricActivations = ParseActivationType(value) },
                "percentile" => result with { Percentile = ParsePercentile(value) },
                _ => throw MaasException.InvalidArgument($"static-int8 has no option '{property.Name}'; its options are {string.Join(", ", Keys)}."),
            };
        }

        return result;
    }

    /// <summary>The effective options, for the lineage record.</summary>
    public Dictionary<string, string> Describe() => new(StringComparer.Ordinal)
    {
        ["method"] = Method switch { CalibrationMethod.Percentile => "percentile", CalibrationMethod.Entropy => "entropy", _ => "minmax" },
        ["per_channel"] = PerChannel ? "true" : "false",
        ["activation_type"] = SymmetricActivations ? "int8" : "uint8",
        ["weight_type"] = "int8",
        ["bias"] = "int32",
        ["percentile"] = Percentile.ToString(CultureInfo.InvariantCulture),
        ["op_types"] = string.Join(",", SupportedOps.Where(OpTypes.Contains)),
        ["exclude"] = string.Join(",", Exclude.Order(StringComparer.Ordinal)),
        ["format"] = "qdq",
    };

    private static CalibrationMethod ParseMethod(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "minmax" => CalibrationMethod.MinMax,
            "percentile" => CalibrationMethod.Percentile,
            "entropy" => CalibrationMethod.Entropy,
            var other => throw MaasException.InvalidArgument($"static-int8 method '{other}' is unknown; use minmax, percentile or entropy."),
        }
        : throw MaasException.InvalidArgument("static-int8 option 'method' must be a string (minmax, percentile or entropy).");

    private static bool ParseBool(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw MaasException.InvalidArgument($"static-int8 option '{name}' must be true or false."),
    };

    private static bool ParseActivationType(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "uint8" => false,
            "int8" => true,
            var other => throw MaasException.InvalidArgument($"static-int8 activation_type '{other}' is unknown; use uint8 (asymmetric) or int8 (symmetric)."),
        }
        : throw MaasException.InvalidArgument("static-int8 option 'activation_type' must be a string (uint8 or int8).");

    private static double ParsePercentile(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var p) && p > 50 && p <= 100
            ? p
            : throw MaasException.InvalidArgument("static-int8 option 'percentile' must be a number above 50 and at most 100 (e.g. 99.999).");

    private static HashSet<string> ParseOpTypes(JsonElement value)
    {
        var ops = ParseStrings("op_types", value);
        if (ops.Count == 0)
        {
            throw MaasException.InvalidArgument("static-int8 option 'op_types' must name at least one op.");
        }

        foreach (var op in ops)
        {
            if (!SupportedOps.Contains(op))
            {
                throw MaasException.InvalidArgument($"static-int8 cannot quantize op type '{op}'; supported: {string.Join(", ", SupportedOps)}.");
            }
        }

        return ops.ToHashSet(StringComparer.Ordinal);
    }

    private static List<string> ParseStrings(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw MaasException.InvalidArgument($"static-int8 option '{name}' must be an array of strings.");
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(item.GetString())
                ? item.GetString()!
                : throw MaasException.InvalidArgument($"static-int8 option '{name}' must be an array of non-empty strings."));
        }

        return list;
    }
}
