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
/// <param name="WeightOnlyAuto">Pick the weight-only nodes by <see cref="WeightOnlyRule"/> (<c>"weight_only": "auto"</c>;
/// the default is <c>"none"</c>).</param>
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

    /// <summary>Selection keyword: the pass's own rule picks the nodes.</summary>
    public const string Auto = "auto";

    /// <summary>Selection keyword: every fully quantized node.</summary>
    public const string All = "all";

    /// <summary>Selection keyword: no node.</summary>
    public const string None = "none";

    /// <summary>Selection mode when the option lists node names.</summary>
    public const string Names = "names";

    private static readonly string[] SupportedOpTypes = ["MatMul", "Gemm"];

    /// <summary>Which nodes get their outlier input channels multiplied in float (<c>"decompose"</c>, see
    /// <see cref="OutlierDecomposition"/>): <c>auto</c> (default: the nodes <see cref="WeightOnlyRule"/> picks, i.e.
    /// feed-forward down-projections after an activation function), <c>all</c>, <c>none</c>, or node names.</summary>
    public string Decompose { get; init; } = Auto;

    /// <summary>Node names to decompose when <see cref="Decompose"/> is <see cref="Names"/>.</summary>
    public IReadOnlyList<string> DecomposeNodes { get; init; } = [];

    /// <summary>A channel is an outlier above this many times the median channel's calibrated max |x|
    /// (<c>"outlier_threshold"</c>).</summary>
    public double OutlierThreshold { get; init; } = OutlierDecomposition.DefaultThreshold;

    /// <summary>At most this many outlier channels per activation (<c>"max_outliers"</c>).</summary>
    public int MaxOutliers { get; init; } = OutlierDecomposition.DefaultMaxChannels;

    /// <summary>Which nodes get SmoothQuant-style per-channel scaling (<c>"smooth"</c>, see
    /// <see cref="ActivationSmoothing"/>): <c>auto</c> (default: every fully quantized node not decomposed), <c>all</c>,
    /// <c>none</c>, or node names.</summary>
    public string Smooth { get; init; } = Auto;

    /// <summary>Node names to smooth when <see cref="Smooth"/> is <see cref="Names"/>.</summary>
    public IReadOnlyList<string> SmoothNodes { get; init; } = [];

    /// <summary>The migration strength α of s_j = max|X_j|^α / max|W_j|^(1-α) (<c>"smooth_alpha"</c>).</summary>
    public double SmoothAlpha { get; init; } = ActivationSmoothing.DefaultAlpha;

    public bool DecomposeEnabled => Decompose != None;

    public bool SmoothEnabled => Smooth != None;

    /// <summary>True when the pass needs calibrated channel ranges (decomposition or smoothing on).</summary>
    public bool NeedsCalibration => DecomposeEnabled || SmoothEnabled;

    /// <summary>True when calibration was asked for by name or as <c>all</c>; <c>auto</c> alone is skipped (with a
    /// note) when there are no calibration inputs.</summary>
    public bool CalibrationRequired => Decompose is All or Names || Smooth is All or Names;

    public static DynamicInt8Options Default { get; } = new(true, SupportedOpTypes, [], true, false, []);

    public static DynamicInt8Options Parse(JsonElement options)
    {
        var reader = new PassOptionReader(
            options, Method, "per_channel", "op_types", "exclude", "int8_embeddings", "weight_only",
            "decompose", "outlier_threshold", "max_outliers", "smooth", "smooth_alpha");
        var opTypes = reader.Strings("op_types", SupportedOpTypes);
        var unknown = opTypes.Where(o => !SupportedOpTypes.Contains(o, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"'{Method}' cannot quantize {string.Join(", ", unknown)}; op_types may list {string.Join(", ", SupportedOpTypes)}.");
        }

        var weightOnly = reader.Strings("weight_only", [None]);
        var auto = weightOnly is [Auto];
        if (auto || weightOnly is [None])
        {
            weightOnly = [];
        }
        else if (weightOnly.Contains(Auto, StringComparer.Ordinal) || weightOnly.Contains(None, StringComparer.Ordinal))
        {
            throw MaasException.InvalidArgument(
                $"Option 'weight_only' of '{Method}' is \"auto\", \"none\" or a list of node names, not a mix.");
        }

        var (decompose, decomposeNodes) = Selection(reader, "decompose");
        var (smooth, smoothNodes) = Selection(reader, "smooth");
        return new DynamicInt8Options(
            reader.Bool("per_channel", true),
            opTypes,
            reader.Strings("exclude", []),
            reader.Bool("int8_embeddings", true),
            auto,
            weightOnly)
        {
            Decompose = decompose,
            DecomposeNodes = decomposeNodes,
            OutlierThreshold = reader.Double("outlier_threshold", OutlierDecomposition.DefaultThreshold, 1, 1e6),
            MaxOutliers = reader.Int("max_outliers", OutlierDecomposition.DefaultMaxChannels, 1, 1024),
            Smooth = smooth,
            SmoothNodes = smoothNodes,
            SmoothAlpha = reader.Double("smooth_alpha", ActivationSmoothing.DefaultAlpha, 0, 1),
        };
    }

    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["per_channel"] = PerChannel ? "true" : "false",
        ["op_types"] = string.Join(",", OpTypes),
        ["exclude"] = string.Join(",", Exclude),
        ["int8_embeddings"] = Int8Embeddings ? "true" : "false",
        ["weight_only"] = WeightOnlyAuto ? Auto : WeightOnly.Count == 0 ? None : string.Join(",", WeightOnly),
        ["decompose"] = Decompose == Names ? string.Join(",", DecomposeNodes) : Decompose,
        ["outlier_threshold"] = OutlierThreshold.ToString(CultureInfo.InvariantCulture),
        ["max_outliers"] = MaxOutliers.ToString(CultureInfo.InvariantCulture),
        ["smooth"] = Smooth == Names ? string.Join(",", SmoothNodes) : Smooth,
        ["smooth_alpha"] = SmoothAlpha.ToString(CultureInfo.InvariantCulture),
        ["weight_type"] = "int8",
        ["activation_type"] = "uint8",
        ["symmetric_weights"] = "true",
        ["weight_range"] = 127.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A node selection option: <c>"auto"</c>, <c>"all"</c>, <c>"none"</c> or a list of node names.</summary>
    private static (string Mode, IReadOnlyList<string> Names) Selection(PassOptionReader reader, string key)
    {
        var values = reader.Strings(key, [Auto]);
        if (values is [var single] && single is Auto or All or None)
        {
            return (single, []);
        }

        if (values.Count == 0 || values.Any(v => v is Auto or All or None))
        {
            throw MaasException.InvalidArgument(
                $"Option '{key}' of '{Method}' is \"auto\", \"all\", \"none\" or a non-empty list of node names, not a mix.");
        }

        return (Names, values);
    }
}
