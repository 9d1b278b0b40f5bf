using System.Text.Json;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Fp16;

/// <summary>Options of <c>fp16</c>.</summary>
/// <param name="KeepIoTypes">Keep float32 graph inputs and outputs, converting at the boundary (default true), so
/// callers and the manifest's signature do not change.</param>
/// <param name="OpBlockList">Default-domain operators kept in float32 (with casts around them) besides the built-in
/// ones that have no float16 form (Range, quantization and random operators); non-default-domain operators and
/// operators with subgraphs always stay float32.</param>
/// <param name="Exclude">Node names kept in float32.</param>
internal sealed record Fp16Options(bool KeepIoTypes, IReadOnlyList<string> OpBlockList, IReadOnlyList<string> Exclude)
{
    public const string Method = "fp16";

    public static Fp16Options Default { get; } = new(true, [], []);

    public static Fp16Options Parse(JsonElement options)
    {
        var reader = new PassOptionReader(options, Method, "keep_io_types", "op_block_list", "exclude");
        return new Fp16Options(reader.Bool("keep_io_types", true), reader.Strings("op_block_list", []), reader.Strings("exclude", []));
    }

    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["keep_io_types"] = KeepIoTypes ? "true" : "false",
        ["op_block_list"] = string.Join(",", OpBlockList),
        ["exclude"] = string.Join(",", Exclude),
    };
}
