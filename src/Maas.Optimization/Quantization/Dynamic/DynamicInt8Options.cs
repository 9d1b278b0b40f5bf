using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary>Options of <c>dynamic-int8</c>.</summary>
/// <param name="PerChannel">One weight scale per output column (default) or one per weight tensor.</param>
/// <param name="OpTypes">Which operators to quantize: <c>MatMul</c>, <c>Gemm</c> (default both).</param>
/// <param name="Exclude">Node names left in float.</param>
/// <param name="Int8Embeddings">Also store constant float tables read by <c>Gather</c> as int8 with one scale per row
/// (default true).</param>
/// <param name="WeightOnlyAuto">Pick the weight-only nodes by <see cref="WeightOnlyRule"/> (<c>"weight_only": "auto"</c>,
/// the default).</param>
/// <param name="WeightOnly">Node names whose weights are stored as int8 but whose activations stay float
/// (<c>"weight_only": ["MatMul_122", ...]</c>; <c>"none"</c> for none).</param>
internal sealed record DynamicInt8Options(
    bool PerChannel,
    IReadOnlyList<string> OpTypes,
    IReadOnlyList<string> Exclude,
    bool Int8Embeddings,
    bool WeightOnlyAuto,
    IReadOnlyList<string> WeightOnly)
{
    public const string Method = "dynamic-int8";

    private static readonly string[] SupportedOpTypes = ["MatMul", "Gemm"];

    public static DynamicInt8Options Default { get; } = new(true, SupportedOpTypes, [], true, true, []);

    public static DynamicInt8Options Parse(JsonElement options)
    {
        var reader = new PassOptionReader(options, Method, "per_channel", "op_types", "exclude", "int8_embeddings", "weight_only");
        var opTypes = reader.Strings("op_types", SupportedOpTypes);
        var unknown = opTypes.Where(o => !SupportedOpTypes.Contains(o, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"'{Method}' cannot quantize {string.Join(", ", unknown)}; op_types may list {string.Join(", ", SupportedOpTypes)}.");
        }

        var weightOnly = reader.Strings("weight_only", ["auto"]);
        var auto = weightOnly is ["auto"];
        if (auto || weightOnly is ["none"])
        {
            weightOnly = [];
        }
        else if (weightOnly.Contains("auto", StringComparer.Ordinal) || weightOnly.Contains("none", StringComparer.Ordinal))
        {
            throw MaasException.InvalidArgument(
                $"Option 'weight_only' of '{Method}' is \"auto\", \"none\" or a list of node names, not a mix.");
        }

        return new DynamicInt8Options(
            reader.Bool("per_channel", true),
            opTypes,
            reader.Strings("exclude", []),
            reader.Bool("int8_embeddings", true),
            auto,
            weightOnly);
    }

    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["per_channel"] = PerChannel ? "true" : "false",
        ["op_types"] = string.Join(",", OpTypes),
        ["exclude"] = string.Join(",", Exclude),
        ["int8_embeddings"] = Int8Embeddings ? "true" : "false",
        ["weight_only"] = WeightOnlyAuto ? "auto" : WeightOnly.Count == 0 ? "none" : string.Join(",", WeightOnly),
        ["weight_type"] = "int8",
        ["activation_type"] = "uint8",
        ["symmetric_weights"] = "true",
        ["weight_range"] = 127.ToString(CultureInfo.InvariantCulture),
    };
}
