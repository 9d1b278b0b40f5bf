using System.Text;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Server.Protocols.V2;

namespace Maas.UnitTests.Server;

/// <summary>Tensor <c>data</c> into typed arrays: range checks per datatype, strings, nesting, counts.</summary>
public sealed class V2TensorDataReaderTests
{
    public static TheoryData<TensorDataType, string, Array> EdgeValues => new()
    {
        { TensorDataType.Bool, "[true, false]", new[] { true, false } },
        { TensorDataType.UInt8, "[0, 255]", new byte[] { 0, 255 } },
        { TensorDataType.UInt16, "[0, 65535]", new ushort[] { 0, 65535 } },
        { TensorDataType.UInt32, "[0, 4294967295]", new uint[] { 0, uint.MaxValue } },
        { TensorDataType.UInt64, "[0, 18446744073709551615]", new ulong[] { 0, ulong.MaxValue } },
        { TensorDataType.Int8, "[-128, 127]", new sbyte[] { -128, 127 } },
        { TensorDataType.Int16, "[-32768, 32767]", new short[] { short.MinValue, short.MaxValue } },
        { TensorDataType.Int32, "[-2147483648, 2147483647]", new[] { int.MinValue, int.MaxValue } },
        { TensorDataType.Int64, "[-9223372036854775808, 9223372036854775807]", new[] { long.MinValue, long.MaxValue } },
        { TensorDataType.Fp16, "[-65504, 0.000061035156]", new[] { Half.MinValue, (Half)6.1035156e-05 } },
        { TensorDataType.Fp32, "[-3.4028235E+38, 1.5e-45]", new[] { float.MinValue, float.Epsilon } },
        { TensorDataType.Fp64, "[1.7976931348623157E+308, -4.9e-324]", new[] { double.MaxValue, -double.Epsilon } },
        { TensorDataType.Fp32, "[2, -0.5]", new[] { 2f, -0.5f } },
    };

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public void Read_EdgeValuesOfType_StoresThemExactly(TensorDataType type, string json, Array expected)
    {
        using var tensor = Read(type, [2], json);

        Assert.Equal(type, tensor.DataType);
        using var reference = Tensor.Create("expected", type, [expected.Length], expected);
        Assert.Equal(reference.Memory.ToArray(), tensor.Memory.ToArray());
    }

    [Theory]
    [InlineData(TensorDataType.UInt8, "256")]
    [InlineData(TensorDataType.UInt8, "-1")]
    [InlineData(TensorDataType.UInt16, "65536")]
    [InlineData(TensorDataType.UInt16, "-1")]
    [InlineData(TensorDataType.UInt32, "4294967296")]
    [InlineData(TensorDataType.UInt32, "-1")]
    [InlineData(TensorDataType.UInt64, "18446744073709551616")]
    [InlineData(TensorDataType.UInt64, "-1")]
    [InlineData(TensorDataType.Int8, "128")]
    [InlineData(TensorDataType.Int8, "-129")]
    [InlineData(TensorDataType.Int16, "32768")]
    [InlineData(TensorDataType.Int16, "-32769")]
    [InlineData(TensorDataType.Int32, "2147483648")]
    [InlineData(TensorDataType.Int32, "-2147483649")]
    [InlineData(TensorDataType.Int64, "9223372036854775808")]
    [InlineData(TensorDataType.Int64, "-9223372036854775809")]
    [InlineData(TensorDataType.Int32, "1.5")]
    [InlineData(TensorDataType.UInt8, "0.5")]
    [InlineData(TensorDataType.UInt64, "2.5")]
    [InlineData(TensorDataType.Fp16, "65520")]
    [InlineData(TensorDataType.Fp32, "3.5e38")]
    [InlineData(TensorDataType.Fp32, "-1e39")]
    [InlineData(TensorDataType.Fp64, "1e309")]
    public void Read_ValueOutsideType_ThrowsNamingValueAndType(TensorDataType type, string value)
    {
        var error = Assert.Throws<MaasException>(() => Read(type, [1], $"[{value}]"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"{value} is not a valid {type.ToProtocolName()} value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TensorDataType.Fp32, "\"1.5\"", "numbers")]
    [InlineData(TensorDataType.Int64, "true", "numbers")]
    [InlineData(TensorDataType.Fp64, "null", "numbers")]
    [InlineData(TensorDataType.Bool, "1", "true or false")]
    [InlineData(TensorDataType.Bool, "\"true\"", "true or false")]
    [InlineData(TensorDataType.Bytes, "42", "strings")]
    [InlineData(TensorDataType.Bytes, "null", "strings")]
    public void Read_ValueOfWrongJsonKind_ThrowsSayingWhatIsExpected(TensorDataType type, string value, string expected)
    {
        var error = Assert.Throws<MaasException>(() => Read(type, [1], $"[{value}]"));

        Assert.Contains($"must hold {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ObjectInData_Throws()
    {
        var error = Assert.Throws<MaasException>(() => Read(TensorDataType.Fp32, [1], """[{"value": 1}]"""));

        Assert.Contains("not objects", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2, 3, 4, 5]", "holds 5")]
    [InlineData("[1, 2, 3, 4, 5, 6, 7]", "holds 7")]
    [InlineData("[[1, 2, 3], [4, 5, 6], [7]]", "holds 7")]
    public void Read_ElementCountDiffersFromShape_ThrowsWithBothCounts(string json, string actual)
    {
        var error = Assert.Throws<MaasException>(() => Read(TensorDataType.Fp32, [2, 3], json));

        Assert.Contains("needs 6 elements", error.Message, StringComparison.Ordinal);
        Assert.Contains(actual, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[\"\\u00e9t\\u00e9\"]", new byte[] { 0xC3, 0xA9, 0x74, 0xC3, 0xA9 })]
    [InlineData("[\"\\ud83d\\ude42\"]", new byte[] { 0xF0, 0x9F, 0x99, 0x82 })]
    [InlineData("[\"tab\\tquote\\\"\"]", new byte[] { 0x74, 0x61, 0x62, 0x09, 0x71, 0x75, 0x6F, 0x74, 0x65, 0x22 })]
    [InlineData("[\"\"]", new byte[0])]
    public void Read_BytesWithEscapes_StoresDecodedUtf8(string json, byte[] expected)
    {
        using var tensor = Read(TensorDataType.Bytes, [1], json);

        Assert.Equal(expected, tensor.GetBytes(0).ToArray());
    }

    [Fact]
    public void Read_BytesUnescapedUnicode_StoresUtf8()
    {
        using var tensor = Read(TensorDataType.Bytes, [2], "[\"日本\", \"é\"]");

        Assert.Equal("日本", Encoding.UTF8.GetString(tensor.GetBytes(0)));
        Assert.Equal("é", Encoding.UTF8.GetString(tensor.GetBytes(1)));
    }

    [Fact]
    public void Read_NestedData_IsReadRowMajor()
    {
        using var tensor = Read(TensorDataType.UInt16, [2, 2], "[[1, 2], [3, 4]]");

        Assert.Equal(new ushort[] { 1, 2, 3, 4 }, tensor.AsSpan<ushort>().ToArray());
    }

    private static Tensor Read(TensorDataType type, long[] shape, string json) =>
        V2TensorDataReader.Read("x", type, shape, Tensor.CountElements(shape), Encoding.UTF8.GetBytes(json));
}
