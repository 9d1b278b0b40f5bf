namespace Maas.Formats.Gguf;

/// <summary>One tensor's entry in a GGUF header: where its data lies, not the data itself.</summary>
/// <param name="Name">The tensor's name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">ggml order: <c>Dimensions[0]</c> varies fastest (a row's length).</param>
/// <param name="Type">The storage type.</param>
/// <param name="Offset">Where the data starts, relative to <see cref="GgufFile.DataOffset"/>.</param>
/// <param name="ElementCount">The product of the dimensions.</param>
/// <param name="ByteSize">Bytes the data takes.</param>
public sealed record GgufTensorInfo(
    string Name,
    IReadOnlyList<long> Dimensions,
    GgmlType Type,
    long Offset,
    long ElementCount,
    long ByteSize);
