namespace Maas.Formats.Gguf;

/// <summary>A GGUF file's header: version, metadata and tensor table.</summary>
/// <param name="Version">The format version (2 or 3; they share one layout).</param>
/// <param name="Metadata">Key to value, enumerated in file order.</param>
/// <param name="Tensors">The tensor table, in file order.</param>
/// <param name="Alignment">The data alignment in bytes (<c>general.alignment</c>, 32 when absent).</param>
/// <param name="DataOffset">Where the data section starts, from the start of the file.</param>
/// <param name="FileLength">The file's length in bytes.</param>
public sealed record GgufFile(
    uint Version,
    IReadOnlyDictionary<string, GgufValue> Metadata,
    IReadOnlyList<GgufTensorInfo> Tensors,
    int Alignment,
    long DataOffset,
    long FileLength)
{
    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public GgufValue? Get(string key) => Metadata.TryGetValue(key, out var value) ? value : null;

    /// <summary>The string at <paramref name="key"/>, or null when absent or not a string.</summary>
    public string? GetString(string key) => Get(key)?.AsString();

    /// <summary>The integer at <paramref name="key"/>, or null when absent or not an integer.</summary>
    public long? GetInt64(string key) => Get(key) is { } value && value.TryGetInt64(out var result) ? result : null;
}
