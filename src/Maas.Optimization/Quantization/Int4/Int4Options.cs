using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Int4;

/// <summary>Options of <c>int4</c>.</summary>
/// <param name="BlockSize">Weights per scale along K: a power of two from 16 to 256 (default 32).</param>
/// <param name="Symmetric">Symmetric blocks (zero point 8, the operator's default) or asymmetric with a zero point per
/// block (default symmetric).</param>
/// <param name="AccuracyLevel">MatMulNBits' <c>accuracy_level</c>: 0 unset (default), 1 fp32, 2 fp16, 3 bf16, 4 int8
/// activations inside the kernel (fastest on CPUs with int8 dot products, least accurate).</param>
/// <param name="Exclude">Node names left in float.</param>
internal sealed record Int4Options(int BlockSize, bool Symmetric, int AccuracyLevel, IReadOnlyList<string> Exclude)
{
    public const string Method = "int4";

    public static Int4Options Default { get; } = new(32, true, 0, []);

    public static Int4Options Parse(JsonElement options)
    {
        var reader = new PassOptionReader(options, Method, "block_size", "symmetric", "accuracy_level", "exclude");
        var blockSize = reader.Int("block_size", 32, 16, 256);
        if (!BitOperations.IsPow2(blockSize))
        {
            throw MaasException.InvalidArgument($"Option 'block_size' of '{Method}' must be a power of two from 16 to 256.");
        }

        return new Int4Options(blockSize, reader.Bool("symmetric", true), reader.Int("accuracy_level", 0, 0, 4), reader.Strings("exclude", []));
    }

    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bits"] = "4",
        ["block_size"] = BlockSize.ToString(CultureInfo.InvariantCulture),
        ["symmetric"] = Symmetric ? "true" : "false",
        ["accuracy_level"] = AccuracyLevel.ToString(CultureInfo.InvariantCulture),
        ["exclude"] = string.Join(",", Exclude),
        ["operator"] = "com.microsoft.MatMulNBits",
    };
}
