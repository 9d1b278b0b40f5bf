using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Smoothing;

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
    /// <summary>Which nodes get SmoothQuant-style activation scaling before quantization (<c>"smooth"</c>):
    /// <c>auto</c>, <c>all</c>, <c>none</c> or node names (<see cref="SmoothNodes"/>).</summary>
    public string Smooth { get; init; } = "none";

    /// <summary>Node names to smooth when <see cref="Smooth"/> is <c>names</c>.</summary>
    public IReadOnlyList<string> SmoothNodes { get; init; } = [];

    /// <summary>The migration strength α of s_j = max|X_j|^α / max|W_j|^(1-α) (<c>"smooth_alpha"</c>).</summary>
    public double SmoothAlpha { get; init; } = ActivationSmoothing.DefaultAlpha;

    public bool SmoothEnabled => Smooth != "none";

    /// <summary>Which nodes get their outlier channels multiplied in float (<c>"decompose"</c>): <c>auto</c>,
    /// <c>all</c>, <c>none</c> or node names (<see cref="DecomposeNodes"/>).</summary>
    public string Decompose { get; init; } = "none";

    /// <summary>Node names to decompose when <see cref="Decompose"/> is <c>names</c>.</summary>
    public IReadOnlyList<string> DecomposeNodes { get; init; } = [];

    /// <summary>A channel is an outlier above this many times the median channel's calibrated max |x|
    /// (<c>"outlier_threshold"</c>).</summary>
    public double OutlierThreshold { get; init; } = OutlierDecomposition.DefaultThreshold;

    /// <summary>At most this many outlier channels per activation (<c>"max_outliers"</c>).</summary>
    public int MaxOutliers { get; init; } = OutlierDecomposition.DefaultMaxChannels;

    public bool DecomposeEnabled => Decompose != "none";

    public bool NeedsCalibration => SmoothEnabled || DecomposeEnabled;

    public const string Method = "dynamic-int8";

    private static readonly string[] SupportedOpTypes = ["MatMul", "Gemm"];

    public static DynamicInt8Options Default { get; } = new(true, SupportedOpTypes, [], true, true, []);

    public static DynamicInt8Options Parse(JsonElement options)
    {
        var reader = new PassOptionReader(options, Method, "per_channel", "op_types", "exclude", "int8_embeddings", "weight_only", "smooth", "smooth_alpha", "decompose", "outlier_threshold", "max_outliers");
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

        var (smoothMode, smoothNodes) = Selection(reader, "smooth", "none");
        var (decomposeMode, decomposeNodes) = Selection(reader, "decompose", "none");
        return new DynamicInt8Options(
            reader.Bool("per_channel", true),
            opTypes,
            reader.Strings("exclude", []),
            reader.Bool("int8_embeddings", true),
            auto,
            weightOnly)
        {
            Smooth = smoothMode,
            SmoothNodes = smoothNodes,
            SmoothAlpha = reader.Double("smooth_alpha", ActivationSmoothing.DefaultAlpha, 0, 1),
            Decompose = decomposeMode,
            DecomposeNodes = decomposeNodes,
            OutlierThreshold = reader.Double("outlier_threshold", OutlierDecomposition.DefaultThreshold, 1, 1e6),
            MaxOutliers = reader.Int("max_outliers", OutlierDecomposition.DefaultMaxChannels, 1, 1024),
        };
    }

    /// <summary>A node selection option: <c>"auto"</c>, <c>"all"</c>, <c>"none"</c> or a list of node names.</summary>
    private static (string Mode, IReadOnlyList<string> Names) Selection(PassOptionReader reader, string key, string defaultMode)
    {
        var values = reader.Strings(key, [defaultMode]);
        if (values is [var single] && single is "auto" or "all" or "none")
        {
            return (single, []);
        }

        if (values.Count == 0 || values.Any(v => v is "auto" or "all" or "none"))
        {
            throw MaasException.InvalidArgument(
                $"Option '{key}' of '{Method}' is \"auto\", \"all\", \"none\" or a non-empty list of node names, not a mix.");
        }

        return ("names", values);
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
