using System.Globalization;

namespace Maas.Formats.Gguf;

/// <summary>One typed GGUF metadata value: a scalar, a string, or an array of one element type.</summary>
/// <remarks>
/// <see cref="Value"/> holds the CLR value that matches <see cref="Type"/>: <c>byte</c>, <c>sbyte</c>, <c>ushort</c>,
/// <c>short</c>, <c>uint</c>, <c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>, <c>ulong</c>, <c>long</c> or
/// <c>double</c>; an array holds a CLR array of those (or of <see cref="GgufValue"/> for arrays of arrays), so a
/// 150,000-token vocabulary is one <c>string[]</c>, not 150,000 boxed values. The factories are the only way in,
/// which keeps the CLR type and the tag in step.
/// </remarks>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an array; null for anything else.</summary>
    public GgufValueType? ElementType { get; }

    public object Value { get; }

    /// <summary>The element count of an array; 0 for anything else.</summary>
    public int ArrayLength => Value is Array array ? array.Length : 0;

    public static GgufValue UInt8(byte value) => new(GgufValueType.UInt8, value);

    public static GgufValue Int8(sbyte value) => new(GgufValueType.Int8, value);

    public static GgufValue UInt16(ushort value) => new(GgufValueType.UInt16, value);

    public static GgufValue Int16(short value) => new(GgufValueType.Int16, value);

    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);

    public static GgufValue Int32(int value) => new(GgufValueType.Int32, value);

    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);

    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);

    public static GgufValue String(string value) => new(GgufValueType.String, value ?? throw new ArgumentNullException(nameof(value)));

    public static GgufValue UInt64(ulong value) => new(GgufValueType.UInt64, value);

    public static GgufValue Int64(long value) => new(GgufValueType.Int64, value);

    public static GgufValue Float64(double value) => new(GgufValueType.Float64, value);

    public static GgufValue ArrayOf(byte[] values) => CreateArray(GgufValueType.UInt8, values);

    public static GgufValue ArrayOf(sbyte[] values) => CreateArray(GgufValueType.Int8, values);

    public static GgufValue ArrayOf(ushort[] values) => CreateArray(GgufValueType.UInt16, values);

    public static GgufValue ArrayOf(short[] values) => CreateArray(GgufValueType.Int16, values);

    public static GgufValue ArrayOf(uint[] values) => CreateArray(GgufValueType.UInt32, values);

    public static GgufValue ArrayOf(int[] values) => CreateArray(GgufValueType.Int32, values);

    public static GgufValue ArrayOf(float[] values) => CreateArray(GgufValueType.Float32, values);

    public static GgufValue ArrayOf(bool[] values) => CreateArray(GgufValueType.Bool, values);

    public static GgufValue ArrayOf(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Any(v => v is null))
        {
            throw new ArgumentException("A GGUF string array cannot hold null.", nameof(values));
        }

        return CreateArray(GgufValueType.String, values);
    }

    public static GgufValue ArrayOf(ulong[] values) => CreateArray(GgufValueType.UInt64, values);

    public static GgufValue ArrayOf(long[] values) => CreateArray(GgufValueType.Int64, values);

    public static GgufValue ArrayOf(double[] values) => CreateArray(GgufValueType.Float64, values);

    /// <summary>An array whose elements are themselves arrays (rare, but the format allows it).</summary>
    public static GgufValue ArrayOf(GgufValue[] arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Any(a => a is null || a.Type != GgufValueType.Array))
        {
            throw new ArgumentException("Every element of an array of arrays must itself be an array value.", nameof(arrays));
        }

        return CreateArray(GgufValueType.Array, arrays);
    }

    /// <summary>The value as a signed integer, for any integer type whose value fits.</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Value)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case long v: value = v; return true;
            case ulong v when v <= long.MaxValue: value = (long)v; return true;
            default: value = 0; return false;
        }
    }

    /// <summary>The value as a double, for any numeric type.</summary>
    public bool TryGetDouble(out double value)
    {
        switch (Value)
        {
            case float v: value = v; return true;
            case double v: value = v; return true;
            case ulong v: value = v; return true;
            default:
                var isInteger = TryGetInt64(out var integer);
                value = integer;
                return isInteger;
        }
    }

    /// <summary>The string, or null when the value is not a string.</summary>
    public string? AsString() => Value as string;

    /// <summary>The array's elements, or null when the value is not an array of <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T>? AsArray<T>() => Value as T[];

    /// <summary>A scalar in invariant culture; an array as its element type and count.</summary>
    public override string ToString() => Value switch
    {
        Array => $"{ElementType}[{ArrayLength}]",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    private static GgufValue CreateArray(GgufValueType elementType, Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new GgufValue(GgufValueType.Array, values, elementType);
    }
}
