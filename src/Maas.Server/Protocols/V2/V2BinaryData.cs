using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Maas.Core.Errors;
using Maas.Core.Tensors;

namespace Maas.Server.Protocols.V2;

/// <summary>The binary tensor data extension's element encoding: fixed-size types as their little-endian bytes in
/// row-major order, BOOL as one byte (0 or 1) per element, BYTES as a 4-byte little-endian length then the bytes,
/// per element.</summary>
internal static class V2BinaryData
{
    /// <summary>The request header holding the length of the JSON part; the binary part follows it.</summary>
    public const string HeaderContentLength = "Inference-Header-Content-Length";

    public const string BinaryDataSize = "binary_data_size";

    public const string BinaryData = "binary_data";

    public const string BinaryDataOutput = "binary_data_output";

    /// <summary>Builds a tensor from <paramref name="bytes"/>, which must hold exactly <paramref name="count"/> elements.</summary>
    /// <exception cref="MaasException">InvalidArgument when the size does not match datatype × shape or BYTES elements overrun.</exception>
    public static Tensor Read(string name, TensorDataType type, long[] shape, int count, ReadOnlySpan<byte> bytes) => type switch
    {
        TensorDataType.Bool => ReadBool(name, shape, count, bytes),
        TensorDataType.UInt8 => ReadFixed<byte>(name, type, shape, count, bytes),
        TensorDataType.UInt16 => ReadFixed<ushort>(name, type, shape, count, bytes),
        TensorDataType.UInt32 => ReadFixed<uint>(name, type, shape, count, bytes),
        TensorDataType.UInt64 => ReadFixed<ulong>(name, type, shape, count, bytes),
        TensorDataType.Int8 => ReadFixed<sbyte>(name, type, shape, count, bytes),
        TensorDataType.Int16 => ReadFixed<short>(name, type, shape, count, bytes),
        TensorDataType.Int32 => ReadFixed<int>(name, type, shape, count, bytes),
        TensorDataType.Int64 => ReadFixed<long>(name, type, shape, count, bytes),
        TensorDataType.Fp16 => ReadFixed<Half>(name, type, shape, count, bytes),
        TensorDataType.Fp32 => ReadFixed<float>(name, type, shape, count, bytes),
        TensorDataType.Fp64 => ReadFixed<double>(name, type, shape, count, bytes),
        _ => ReadBytes(name, shape, count, bytes),
    };

    /// <summary>Bytes <paramref name="tensor"/> takes in binary form.</summary>
    public static long SizeOf(Tensor tensor)
    {
        if (tensor.DataType != TensorDataType.Bytes)
        {
            return (long)tensor.ElementCount * tensor.DataType.ElementSize();
        }

        // A BYTES tensor's memory is already the raw form: a 4-byte length then the bytes, per element.
        return tensor.ByteLength;
    }

    /// <summary>Writes <paramref name="tensor"/>'s elements in binary form to <paramref name="destination"/>, in
    /// pieces, so a large output never needs one contiguous buffer of its whole size.</summary>
    public static void Write(Tensor tensor, IBufferWriter<byte> destination)
    {
        if (tensor.DataType != TensorDataType.Bytes)
        {
            var raw = RawBytes(tensor);
            while (!raw.IsEmpty)
            {
                var span = destination.GetSpan(Math.Min(raw.Length, ChunkBytes));
                var n = Math.Min(span.Length, raw.Length);
                raw[..n].CopyTo(span);
                destination.Advance(n);
                raw = raw[n..];
            }

            return;
        }

        destination.Write(tensor.Memory.Span);
    }

    private const int ChunkBytes = 64 * 1024;

    private static ReadOnlySpan<byte> RawBytes(Tensor tensor) => tensor.DataType switch
    {
        TensorDataType.Bool => MemoryMarshal.AsBytes(tensor.AsSpan<bool>()),
        TensorDataType.UInt8 => tensor.AsSpan<byte>(),
        TensorDataType.UInt16 => MemoryMarshal.AsBytes(tensor.AsSpan<ushort>()),
        TensorDataType.UInt32 => MemoryMarshal.AsBytes(tensor.AsSpan<uint>()),
        TensorDataType.UInt64 => MemoryMarshal.AsBytes(tensor.AsSpan<ulong>()),
        TensorDataType.Int8 => MemoryMarshal.AsBytes(tensor.AsSpan<sbyte>()),
        TensorDataType.Int16 => MemoryMarshal.AsBytes(tensor.AsSpan<short>()),
        TensorDataType.Int32 => MemoryMarshal.AsBytes(tensor.AsSpan<int>()),
        TensorDataType.Int64 => MemoryMarshal.AsBytes(tensor.AsSpan<long>()),
        TensorDataType.Fp16 => MemoryMarshal.AsBytes(tensor.AsSpan<Half>()),
        TensorDataType.Fp32 => MemoryMarshal.AsBytes(tensor.AsSpan<float>()),
        TensorDataType.Fp64 => MemoryMarshal.AsBytes(tensor.AsSpan<double>()),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor), "BYTES has no fixed-size raw form."),
    };

    private static Tensor ReadFixed<T>(string name, TensorDataType type, long[] shape, int count, ReadOnlySpan<byte> bytes)
        where T : unmanaged
    {
        // The wire format is little-endian, as is every platform .NET runs Maas on; a raw copy is the whole conversion.
        CheckSize(name, type, shape, (long)count * type.ElementSize(), bytes.Length);
        var tensor = Tensor.Rent<T>(name, shape);
        bytes.CopyTo(MemoryMarshal.AsBytes(tensor.AsSpan<T>()));
        return tensor;
    }

    private static Tensor ReadBool(string name, long[] shape, int count, ReadOnlySpan<byte> bytes)
    {
        CheckSize(name, TensorDataType.Bool, shape, count, bytes.Length);

        // A bool byte other than 0 or 1 is not a value .NET (or ONNX Runtime) can hold safely.
        var bad = bytes.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"Input '{name}' is BOOL: binary element {bad} is {bytes[bad]}; each element must be the byte 0 or 1."));
        }

        var tensor = Tensor.Rent<bool>(name, shape);
        bytes.CopyTo(MemoryMarshal.AsBytes(tensor.AsSpan<bool>()));
        return tensor;
    }

    private static Tensor ReadBytes(string name, long[] shape, int count, ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (bytes.Length - offset < 4)
            {
                throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                    $"Input '{name}' is BYTES with {count} elements, but its binary data ends before element {i}'s 4-byte length."));
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
            offset += 4;
            if (length < 0 || length > bytes.Length - offset)
            {
                throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                    $"Input '{name}': BYTES element {i} declares {length} bytes, but only {bytes.Length - offset} remain in its binary data."));
            }

            offset += length;
        }

        if (offset != bytes.Length)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"Input '{name}': its {count} BYTES elements take {offset} bytes, but binary_data_size is {bytes.Length}."));
        }

        // The binary form is the tensor's own layout; one copy takes it out of the request buffer.
        return Tensor.FromBytes(name, TensorDataType.Bytes, shape, bytes.ToArray());
    }

    private static void CheckSize(string name, TensorDataType type, long[] shape, long expected, int actual)
    {
        if (expected != actual)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"Input '{name}' is {type.ToProtocolName()} of shape [{string.Join(", ", shape)}], which takes {expected} bytes, but binary_data_size is {actual}."));
        }
    }
}
