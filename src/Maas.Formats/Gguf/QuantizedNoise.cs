using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Maas.Formats.Gguf;

/// <summary>Writes a random matrix straight as ggml <see cref="GgmlType.Q8_0"/> or <see cref="GgmlType.Q4_0"/> blocks,
/// a chunk of rows at a time, so a multi-gigabyte tensor never sits in memory.</summary>
/// <remarks>
/// A block is 32 weights: an f16 scale d, then the quants (Q8_0: 32 signed bytes, weight = q·d; Q4_0: 16 bytes, the
/// low nibbles weights 0–15 and the high nibbles 16–31, weight = (nibble − 8)·d). The quants are uniform random from
/// a SplitMix64 stream (the same seed gives the same bytes on every runtime), made symmetric around zero (−128 and
/// nibble 0, the one value without a mirror, become zero), and d is chosen so each weight has standard deviation
/// 1/√columns: a row's dot product with a unit-variance input then has unit variance, whatever the width.
/// </remarks>
internal static class QuantizedNoise
{
    public const int BlockSize = 32;

    // Standard deviation of one quant after the symmetric mapping: √(2·Σk² / outcomes).
    private static readonly double Q8Deviation = Math.Sqrt(2.0 * (127 * 128 * 255 / 6) / 256);
    private static readonly double Q4Deviation = Math.Sqrt(2.0 * (7 * 8 * 15 / 6) / 16);

    private static readonly byte[] Q8Map = BuildMap(b => b == 0x80 ? (byte)0 : b);
    private static readonly byte[] Q4Map = BuildMap(b => (byte)(((b & 0x0F) == 0 ? 8 : b & 0x0F) | ((b >> 4) == 0 ? 0x80 : b & 0xF0)));

    /// <summary>Writes <paramref name="rows"/> rows of <paramref name="columns"/> weights (a ggml tensor of dimensions
    /// [columns, rows]) to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">The type is neither Q8_0 nor Q4_0, or the columns are not whole blocks.</exception>
    public static void Write(Stream stream, GgmlType type, long columns, long rows, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (map, deviation) = type switch
        {
            GgmlType.Q8_0 => (Q8Map, Q8Deviation),
            GgmlType.Q4_0 => (Q4Map, Q4Deviation),
            _ => throw new ArgumentException($"Random blocks are written as Q8_0 or Q4_0, not {type}.", nameof(type)),
        };
        if (columns <= 0 || columns % BlockSize != 0 || rows < 0)
        {
            throw new ArgumentException($"A quantised row holds whole blocks of {BlockSize}; {columns} columns do not.", nameof(columns));
        }

        var blockBytes = GgmlTypes.BlockBytes(type);
        var rowBytes = checked((int)(columns / BlockSize * blockBytes));
        var rowsPerChunk = Math.Max(1, (1 << 20) / rowBytes);
        var buffer = new byte[(rowsPerChunk * rowBytes) + sizeof(ulong)];
        var scale = (Half)(1.0 / Math.Sqrt(columns) / deviation);
        var state = seed;
        for (long row = 0; row < rows; row += rowsPerChunk)
        {
            var count = (int)Math.Min(rowsPerChunk, rows - row);
            var chunk = buffer.AsSpan(0, count * rowBytes);
            Fill(buffer.AsSpan(0, (chunk.Length + sizeof(ulong) - 1) / sizeof(ulong) * sizeof(ulong)), ref state);
            for (var offset = 0; offset < chunk.Length; offset += blockBytes)
            {
                BinaryPrimitives.WriteHalfLittleEndian(chunk.Slice(offset, 2), scale);
                var quants = chunk.Slice(offset + 2, blockBytes - 2);
                for (var i = 0; i < quants.Length; i++)
                {
                    quants[i] = map[quants[i]];
                }
            }

            stream.Write(chunk);
        }
    }

    private static void Fill(Span<byte> bytes, ref ulong state)
    {
        foreach (ref var word in MemoryMarshal.Cast<byte, ulong>(bytes))
        {
            // SplitMix64 (Steele, Lea, Flood 2014).
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            word = BitConverter.IsLittleEndian ? z ^ (z >> 31) : BinaryPrimitives.ReverseEndianness(z ^ (z >> 31));
        }
    }

    private static byte[] BuildMap(Func<byte, byte> map)
    {
        var table = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            table[b] = map((byte)b);
        }

        return table;
    }
}
