using System.Buffers;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Server.Protocols.V2;

namespace Maas.UnitTests.Server;

public sealed class V2BinaryDataTests
{
    [Fact]
    public void Read_Fp32LittleEndianBytes_GivesTheFloats()
    {
        byte[] bytes = [0, 0, 128, 63, 0, 0, 0, 192];

        using var tensor = V2BinaryData.Read("x", TensorDataType.Fp32, [2], 2, bytes);

        Assert.Equal([1f, -2f], tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void WriteThenRead_BytesElements_RoundTripIncludingEmpty()
    {
        using var tensor = Tensor.Create("s", [3], new[] { "ab"u8.ToArray(), Array.Empty<byte>(), new byte[] { 0xFF } });
        var buffer = new ArrayBufferWriter<byte>();

        V2BinaryData.Write(tensor, buffer);
        using var back = V2BinaryData.Read("s", TensorDataType.Bytes, [3], 3, buffer.WrittenSpan);

        Assert.Equal(V2BinaryData.SizeOf(tensor), buffer.WrittenCount);
        Assert.Equal(4 + 2 + 4 + 0 + 4 + 1, buffer.WrittenCount);
        Assert.Equal(tensor.EnumerateBytes().Select(b => b.ToArray()), back.EnumerateBytes().Select(b => b.ToArray()));
    }

    [Fact]
    public void Write_LargeFp64Tensor_WritesEveryByteInPieces()
    {
        var values = Enumerable.Range(0, 50_000).Select(i => i * 0.5).ToArray();
        using var tensor = Tensor.Create("d", [50_000], values);
        var buffer = new ArrayBufferWriter<byte>();

        V2BinaryData.Write(tensor, buffer);
        using var back = V2BinaryData.Read("d", TensorDataType.Fp64, [50_000], 50_000, buffer.WrittenSpan);

        Assert.Equal(values, back.AsSpan<double>().ToArray());
    }

    [Theory]
    [InlineData(TensorDataType.Int64, new byte[] { 1, 2, 3 }, "takes 8 bytes, but binary_data_size is 3")]
    [InlineData(TensorDataType.Bool, new byte[] { 7 }, "must be the byte 0 or 1")]
    [InlineData(TensorDataType.Bytes, new byte[] { 1, 0 }, "ends before element 0")]
    [InlineData(TensorDataType.Bytes, new byte[] { 255, 255, 255, 255 }, "declares -1 bytes")]
    public void Read_BadBytes_ThrowsInvalidArgument(TensorDataType type, byte[] bytes, string expected)
    {
        var ex = Assert.Throws<MaasException>(() => V2BinaryData.Read("x", type, [1], 1, bytes));

        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
