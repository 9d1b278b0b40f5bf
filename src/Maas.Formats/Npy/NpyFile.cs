using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Maas.Formats.Npy;

/// <summary>Reads and writes NumPy <c>.npy</c> files holding little-endian float32 arrays in C order (what
/// <c>numpy.save</c> writes for a <c>float32</c> array), e.g. a mean image for image pre-processing.</summary>
/// <remarks>Only format versions 1 and 2 and dtype <c>&lt;f4</c> are read; anything else is refused with the reason
/// rather than guessed.</remarks>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes <paramref name="data"/> with <paramref name="shape"/> as a version 1.0 <c>.npy</c> file.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, IReadOnlyList<long> shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
        {
            throw new ArgumentException($"The shape holds {count} elements but {data.Length} were given.", nameof(data));
        }

        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic (6) + version (2) + header length (2) + header + newline, padded with spaces to a multiple of 64.
        var total = 10 + header.Length + 1;
        var padded = (total + 63) / 64 * 64;
        header = header.PadRight(header.Length + padded - total) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new byte[data.Length * sizeof(float)];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), data[i]);
        }

        stream.Write(buffer);
    }

    /// <summary>Reads a float32 C-order array and its shape.</summary>
    /// <exception cref="InvalidDataException">The file is not such an array, or is truncated.</exception>
    public static (float[] Data, long[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a .npy file (no \\x93NUMPY magic).");
        }

        int headerLength, headerStart;
        switch (bytes[6])
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                headerStart = 10;
                break;
            case 2 when bytes.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
                headerStart = 12;
                break;
            default:
                throw new InvalidDataException($".npy format version {bytes[6]} is not supported (1 or 2).");
        }

        if (headerStart + headerLength > bytes.Length)
        {
            throw new InvalidDataException(".npy header is truncated.");
        }

        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (!DescrPattern().IsMatch(header))
        {
            throw new InvalidDataException($".npy dtype must be little-endian float32 ('<f4'); the header says {header.Trim()}.");
        }

        if (!FortranPattern().IsMatch(header))
        {
            throw new InvalidDataException(".npy array must be in C order (fortran_order False).");
        }

        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success)
        {
            throw new InvalidDataException(".npy header has no shape.");
        }

        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => checked(a * b));
        var dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart != count * sizeof(float))
        {
            throw new InvalidDataException($".npy data holds {bytes.Length - dataStart} bytes; shape ({string.Join(", ", shape)}) needs {count * sizeof(float)}.");
        }

        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + (i * sizeof(float))));
        }

        return (data, shape);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'<f4'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*False")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
