using Maas.Formats.Onnx;
using Maas.Samples;

namespace Maas.UnitTests.Formats;

/// <summary>Anything that is not a valid ONNX model fails with <see cref="InvalidDataException"/>, never a crash or a hang.</summary>
public sealed class OnnxModelReaderCorruptInputTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    [Fact]
    public void Read_EmptyFile_ThrowsInvalidData()
    {
        var ex = ReadFails([]);

        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 1000)]
    [InlineData(3, 100_000)]
    [InlineData(4, 1_000_000)]
    public void Read_RandomBytes_ThrowsInvalidData(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);

        ReadFails(bytes);
    }

    [Fact]
    public void Read_TruncatedRealModel_ThrowsInvalidData()
    {
        var files = SampleModels.OpenMiniLm();
        var head = new byte[1000];
        try
        {
            files.Single(f => f.Name == "model.onnx").Content.ReadExactly(head);
        }
        finally
        {
            foreach (var (_, content) in files)
            {
                content.Dispose();
            }
        }

        var ex = ReadFails(head);

        Assert.Contains("remain", ex.Message);
    }

    [Fact]
    public void Read_TextFile_ThrowsInvalidData()
    {
        ReadFails("This is a README, not an ONNX model.\nIt has two lines.\n"u8.ToArray());
    }

    [Fact]
    public void Read_ProtobufWithoutGraph_ThrowsInvalidDataNamingTheGraph()
    {
        var writer = new ProtoWriter();
        writer.WriteVarint(OnnxFields.ModelIrVersion, 8);
        writer.WriteString(OnnxFields.ModelProducerName, "nobody");

        var ex = ReadFails(writer.ToArray());

        Assert.Contains("no graph", ex.Message);
    }

    [Fact]
    public void Read_VarintLongerThanTenBytes_ThrowsInvalidData()
    {
        var ex = ReadFails([0x08, .. Enumerable.Repeat((byte)0xFF, 20), 0x01]);

        Assert.Contains("varint", ex.Message);
    }

    [Fact]
    public void Read_VarintOverflowingSixtyFourBits_ThrowsInvalidData()
    {
        var ex = ReadFails([0x08, .. Enumerable.Repeat((byte)0xFF, 9), 0x7F]);

        Assert.Contains("overflows", ex.Message);
    }

    [Fact]
    public void Read_LengthBeyondEndOfFile_ThrowsInvalidData()
    {
        // Field 7 (graph), length-delimited, claiming 2^40 bytes.
        var ex = ReadFails([0x3A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x0A, 0x00]);

        Assert.Contains("remain", ex.Message);
    }

    [Fact]
    public void Read_NestedLengthBeyondItsParent_ThrowsInvalidData()
    {
        // A graph of 4 bytes whose input claims 100 bytes; the file itself has more than enough after it.
        var ex = ReadFails([0x3A, 0x04, 0x5A, 0x64, 0x0A, 0x00, .. new byte[200]]);

        Assert.Contains("remain", ex.Message);
    }

    [Fact]
    public void Read_GroupWireType_ThrowsInvalidData()
    {
        ReadFails([0x0B, 0x0C]);
    }

    [Fact]
    public void Read_FieldNumberZero_ThrowsInvalidData()
    {
        ReadFails([0x00, 0x00]);
    }

    [Fact]
    public void Read_Bfloat16Input_ThrowsInvalidDataNamingTheType()
    {
        var ex = ReadFails(ModelWithInput(input => input.WriteMessage(OnnxFields.ValueInfoType, type =>
            type.WriteMessage(OnnxFields.TypeTensorType, tensor => tensor.WriteVarint(OnnxFields.TensorTypeElemType, 16)))));

        Assert.Contains("BFLOAT16", ex.Message);
        Assert.Contains("'x'", ex.Message);
    }

    [Fact]
    public void Read_SequenceInput_ThrowsInvalidData()
    {
        const int sequenceType = 4;
        var ex = ReadFails(ModelWithInput(input => input.WriteMessage(OnnxFields.ValueInfoType, type =>
            type.WriteMessage(sequenceType, _ => { }))));

        Assert.Contains("not a dense tensor", ex.Message);
    }

    [Fact]
    public void Read_InputWithoutType_ThrowsInvalidData()
    {
        var ex = ReadFails(ModelWithInput(_ => { }));

        Assert.Contains("no type", ex.Message);
    }

    [Fact]
    public void Read_InvalidUtf8Name_ThrowsInvalidData()
    {
        var writer = new ProtoWriter();
        writer.WriteBytes(OnnxFields.ModelProducerName, [0xC3, 0x28]);

        ReadFails(writer.ToArray());
    }

    public void Dispose() => _folder.Dispose();

    private static byte[] ModelWithInput(Action<ProtoWriter> writeInputBody)
    {
        var model = new ProtoWriter();
        model.WriteVarint(OnnxFields.ModelIrVersion, 8);
        model.WriteMessage(OnnxFields.ModelGraph, graph => graph.WriteMessage(OnnxFields.GraphInput, input =>
        {
            input.WriteString(OnnxFields.ValueInfoName, "x");
            writeInputBody(input);
        }));
        return model.ToArray();
    }

    private InvalidDataException ReadFails(byte[] bytes)
    {
        var path = _folder.Write("corrupt.onnx", bytes);
        return Assert.Throws<InvalidDataException>(() => OnnxModelReader.Read(path));
    }
}
