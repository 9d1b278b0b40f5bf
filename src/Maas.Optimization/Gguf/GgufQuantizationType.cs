using Maas.Formats.Gguf;

namespace Maas.Optimization.Gguf;

/// <summary>A llama.cpp file type a GGUF model can be re-quantized to: its method name and the ggml block type its
/// weight matrices mostly get (the K-quant mixes store some tensors one step finer).</summary>
internal sealed record GgufQuantizationType(string Method, GgmlType BlockType)
{
    public static IReadOnlyList<GgufQuantizationType> All { get; } =
    [
        new("q8_0", GgmlType.Q8_0),
        new("q4_0", GgmlType.Q4_0),
        new("q4_1", GgmlType.Q4_1),
        new("q5_0", GgmlType.Q5_0),
        new("q5_1", GgmlType.Q5_1),
        new("q4_k_s", GgmlType.Q4_K),
        new("q4_k_m", GgmlType.Q4_K),
        new("q5_k_s", GgmlType.Q5_K),
        new("q5_k_m", GgmlType.Q5_K),
        new("q6_k", GgmlType.Q6_K),
    ];

    /// <summary>Elements per block: every quantized row's length must be a multiple of it.</summary>
    public int BlockSize => GgmlTypes.BlockSize(BlockType);

    public bool IsKQuant => BlockSize == 256;

    /// <summary>Whether llama.cpp quantizes this tensor: weight matrices (2+ dimensions) only; norms, biases and
    /// vectors stay as they are.</summary>
    public static bool IsQuantized(GgufTensorInfo tensor) =>
        tensor.Dimensions.Count >= 2 && tensor.Name.EndsWith("weight", StringComparison.Ordinal);
}
