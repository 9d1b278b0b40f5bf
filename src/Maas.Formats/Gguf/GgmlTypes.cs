namespace Maas.Formats.Gguf;

/// <summary>Block layout of each <see cref="GgmlType"/>: how many elements one block holds and how many bytes it takes.</summary>
/// <remarks>
/// Quantised types store a row as whole blocks, so a tensor's first (fastest-varying) dimension must be a multiple of
/// the block size. Plain types are blocks of one element.
/// </remarks>
public static class GgmlTypes
{
    private const int SuperBlock = 256;

    private static readonly Dictionary<GgmlType, (int Elements, int Bytes)> Blocks = new()
    {
        [GgmlType.F32] = (1, 4),
        [GgmlType.F16] = (1, 2),
        [GgmlType.BF16] = (1, 2),
        [GgmlType.F64] = (1, 8),
        [GgmlType.I8] = (1, 1),
        [GgmlType.I16] = (1, 2),
        [GgmlType.I32] = (1, 4),
        [GgmlType.I64] = (1, 8),
        [GgmlType.Q4_0] = (32, 18),
        [GgmlType.Q4_1] = (32, 20),
        [GgmlType.Q5_0] = (32, 22),
        [GgmlType.Q5_1] = (32, 24),
        [GgmlType.Q8_0] = (32, 34),
        [GgmlType.Q8_1] = (32, 36),
        [GgmlType.IQ4_NL] = (32, 18),
        [GgmlType.MXFP4] = (32, 17),
        [GgmlType.Q2_K] = (SuperBlock, 84),
        [GgmlType.Q3_K] = (SuperBlock, 110),
        [GgmlType.Q4_K] = (SuperBlock, 144),
        [GgmlType.Q5_K] = (SuperBlock, 176),
        [GgmlType.Q6_K] = (SuperBlock, 210),
        [GgmlType.Q8_K] = (SuperBlock, 292),
        [GgmlType.IQ2_XXS] = (SuperBlock, 66),
        [GgmlType.IQ2_XS] = (SuperBlock, 74),
        [GgmlType.IQ3_XXS] = (SuperBlock, 98),
        [GgmlType.IQ1_S] = (SuperBlock, 50),
        [GgmlType.IQ3_S] = (SuperBlock, 110),
        [GgmlType.IQ2_S] = (SuperBlock, 82),
        [GgmlType.IQ4_XS] = (SuperBlock, 136),
        [GgmlType.IQ1_M] = (SuperBlock, 56),
        [GgmlType.TQ1_0] = (SuperBlock, 54),
        [GgmlType.TQ2_0] = (SuperBlock, 66),
    };

    /// <summary>Whether this library knows the type's block layout (and so can size its tensors).</summary>
    public static bool IsKnown(GgmlType type) => Blocks.ContainsKey(type);

    /// <summary>Elements per block: 1 for plain types, 32 for the legacy quantisations, 256 for K- and I-quants.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not known.</exception>
    public static int BlockSize(GgmlType type) => Layout(type).Elements;

    /// <summary>Bytes one block takes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not known.</exception>
    public static int BlockBytes(GgmlType type) => Layout(type).Bytes;

    /// <summary>Bytes a tensor of <paramref name="type"/> with these dimensions takes.</summary>
    /// <exception cref="ArgumentException">The first dimension is not a whole number of blocks, or a dimension is negative.</exception>
    /// <exception cref="OverflowException">The size does not fit in a <see cref="long"/>.</exception>
    public static long ByteSize(GgmlType type, IReadOnlyList<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var (elements, bytes) = Layout(type);
        if (dimensions.Any(d => d < 0))
        {
            throw new ArgumentException("Tensor dimensions cannot be negative.", nameof(dimensions));
        }

        var first = dimensions.Count == 0 ? 1 : dimensions[0];
        if (first % elements != 0)
        {
            throw new ArgumentException(
                $"A {type} tensor's first dimension must be a multiple of its block size {elements}; it is {first}.", nameof(dimensions));
        }

        var size = checked(first / elements * bytes);
        for (var i = 1; i < dimensions.Count; i++)
        {
            size = checked(size * dimensions[i]);
        }

        return size;
    }

    /// <summary>The product of the dimensions (1 for a scalar).</summary>
    /// <exception cref="OverflowException">The count does not fit in a <see cref="long"/>.</exception>
    public static long ElementCount(IReadOnlyList<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        long count = 1;
        foreach (var d in dimensions)
        {
            count = checked(count * d);
        }

        return count;
    }

    private static (int Elements, int Bytes) Layout(GgmlType type) =>
        Blocks.TryGetValue(type, out var layout)
            ? layout
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
}
