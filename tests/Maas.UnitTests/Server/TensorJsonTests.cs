using System.Buffers;
using System.Text;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.Server.Protocols;

namespace Maas.UnitTests.Server;

/// <summary>Tensor elements written as JSON: what a client parses back.</summary>
public sealed class TensorJsonTests
{
    [Fact]
    public void WriteData_NonFiniteFp32_WritesStrings()
    {
        using var tensor = Tensor.Create("y", [4], new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1.5f });

        var data = WriteData(tensor);

        Assert.Equal("NaN", data[0].GetString());
        Assert.Equal("Infinity", data[1].GetString());
        Assert.Equal("-Infinity", data[2].GetString());
        Assert.Equal(-1.5, data[3].GetDouble());
    }

    [Fact]
    public void WriteData_NonFiniteFp64AndFp16_WritesStrings()
    {
        using var doubles = Tensor.Create("y", [3], new[] { double.NaN, double.PositiveInfinity, 0.1 });
        using var halves = Tensor.Create("y", [3], new[] { Half.NaN, Half.NegativeInfinity, (Half)0.5 });

        var d = WriteData(doubles);
        var h = WriteData(halves);

        Assert.Equal("NaN", d[0].GetString());
        Assert.Equal("Infinity", d[1].GetString());
        Assert.Equal(0.1, d[2].GetDouble());
        Assert.Equal("NaN", h[0].GetString());
        Assert.Equal("-Infinity", h[1].GetString());
        Assert.Equal(0.5, h[2].GetDouble());
    }

    [Fact]
    public void WriteData_BytesNotValidUtf8_WritesBase64()
    {
        byte[] binary = [0xFF, 0xFE, 0x00, 0x80];
        using var tensor = Tensor.Create("y", [2], new[] { binary, Encoding.UTF8.GetBytes("h\u00e9 \ud83d\ude42") });

        var data = WriteData(tensor);

        Assert.Equal(binary, Convert.FromBase64String(data[0].GetString()!));
        Assert.Equal("h\u00e9 \ud83d\ude42", data[1].GetString());
    }

    [Fact]
    public void WriteData_IntegerExtremes_WritesExactNumbers()
    {
        using var unsigned = Tensor.Create("y", [2], new[] { ulong.MaxValue, 0UL });
        using var signed = Tensor.Create("y", [2], new[] { long.MinValue, long.MaxValue });

        var u = WriteData(unsigned);
        var s = WriteData(signed);

        Assert.Equal(ulong.MaxValue, u[0].GetUInt64());
        Assert.Equal([long.MinValue, long.MaxValue], [s[0].GetInt64(), s[1].GetInt64()]);
    }

    [Fact]
    public void WriteData_OnlyElementCountOfRentedArray_IsWritten()
    {
        using var tensor = Tensor.Rent<int>("y", [3]);
        tensor.AsSpan<int>().Fill(7);

        var data = WriteData(tensor);

        Assert.Equal([7, 7, 7], data.Select(e => e.GetInt32()));
    }

    [Fact]
    public void WriteNested_TwoByThree_WritesRows()
    {
        using var tensor = Tensor.Create("y", [2, 3], new[] { true, false, true, false, false, true });

        var text = Write(w => TensorJson.WriteNested(w, tensor));

        Assert.Equal("[[true,false,true],[false,false,true]]", text);
    }

    [Fact]
    public void WriteNested_RankZero_WritesBareValue()
    {
        using var tensor = Tensor.Create("y", [], new[] { 42 });

        Assert.Equal("42", Write(w => TensorJson.WriteNested(w, tensor)));
    }

    private static JsonElement[] WriteData(Tensor tensor)
    {
        using var document = JsonDocument.Parse(Write(w => TensorJson.WriteData(w, tensor)));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
