using System.Diagnostics.CodeAnalysis;

namespace Maas.Core.Tensors;

/// <summary>Protocol names, CLR element types and sizes of <see cref="TensorDataType"/>.</summary>
public static class TensorDataTypes
{
    private static readonly string[] Names =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"];

    /// <summary>All data types, in protocol order.</summary>
    public static IReadOnlyList<TensorDataType> All { get; } = Enum.GetValues<TensorDataType>();

    /// <summary>The Open Inference Protocol name, e.g. <c>FP32</c>.</summary>
    public static string ToProtocolName(this TensorDataType type) => Names[(int)type];

    /// <summary>Parses a protocol name (case-sensitive, as the protocol spells it).</summary>
    public static bool TryParse(string? name, out TensorDataType type)
    {
        var index = name is null ? -1 : Array.IndexOf(Names, name);
        type = index < 0 ? default : (TensorDataType)index;
        return index >= 0;
    }

    /// <summary>The CLR element type used to hold the data: <c>byte[]</c> for BYTES.</summary>
    public static Type ElementType(this TensorDataType type) => type switch
    {
        TensorDataType.Bool => typeof(bool),
        TensorDataType.UInt8 => typeof(byte),
        TensorDataType.UInt16 => typeof(ushort),
        TensorDataType.UInt32 => typeof(uint),
        TensorDataType.UInt64 => typeof(ulong),
        TensorDataType.Int8 => typeof(sbyte),
        TensorDataType.Int16 => typeof(short),
        TensorDataType.Int32 => typeof(int),
        TensorDataType.Int64 => typeof(long),
        TensorDataType.Fp16 => typeof(Half),
        TensorDataType.Fp32 => typeof(float),
        TensorDataType.Fp64 => typeof(double),
        TensorDataType.Bytes => typeof(byte[]),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Size of one element in bytes; 0 for BYTES (variable).</summary>
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.Fp16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.Fp32 => 4,
        TensorDataType.UInt64 or TensorDataType.Int64 or TensorDataType.Fp64 => 8,
        _ => 0,
    };

    /// <summary>The data type whose CLR element type is <typeparamref name="T"/>.</summary>
    public static TensorDataType Of<T>() => TryOf(typeof(T), out var t)
        ? t
        : throw new ArgumentException($"{typeof(T)} is not a tensor element type.");

    /// <summary>The data type whose CLR element type is <paramref name="elementType"/>.</summary>
    public static bool TryOf(Type elementType, [NotNullWhen(true)] out TensorDataType type)
    {
        foreach (var candidate in All)
        {
            if (candidate.ElementType() == elementType)
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
