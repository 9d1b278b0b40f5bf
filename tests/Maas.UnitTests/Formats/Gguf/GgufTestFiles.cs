using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

/// <summary>Small GGUF files built in memory for reader tests.</summary>
internal static class GgufTestFiles
{
    /// <summary>A file with a few keys of different types and two tensors, small enough to corrupt byte by byte.</summary>
    public static byte[] Small()
    {
        var writer = new GgufWriter()
            .SetString(GgufKeys.Architecture, "llama")
            .SetUInt32("llama.context_length", 128)
            .SetStringArray(GgufKeys.Tokens, ["<unk>", "a", "b"])
            .SetFloat32Array(GgufKeys.Scores, [0f, -1f, -2f])
            .SetBool("flag", true)
            .AddF32Tensor("w", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8])
            .AddF16Tensor("v", [3], [0.5f, 1.5f, -2f]);
        return ToBytes(writer);
    }

    public static byte[] ToBytes(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    public static GgufFile Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return GgufReader.Read(stream);
    }

    /// <summary>A header by hand: magic, version, tensor count, metadata count, then whatever the test appends.</summary>
    public static byte[] Header(uint version, ulong tensorCount, ulong metadataCount, Action<BinaryWriter>? rest = null)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("GGUF"u8);
        writer.Write(version);
        writer.Write(tensorCount);
        writer.Write(metadataCount);
        rest?.Invoke(writer);
        writer.Flush();
        return stream.ToArray();
    }

    public static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }
}
