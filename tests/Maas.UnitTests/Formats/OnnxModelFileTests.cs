using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Samples;

namespace Maas.UnitTests.Formats;

/// <summary>Whole-model reading and writing: real models survive a round trip in meaning (equal messages, equal
/// ONNX Runtime outputs), inline and with external data.</summary>
public sealed class OnnxModelFileTests(MiniLmModelFixture miniLm) : IClassFixture<MiniLmModelFixture>, IDisposable
{
    private readonly TempModelFolder _folder = new();

    [Fact]
    public void SaveLoad_MiniLmInline_ParsesToAnEqualMessageAndGivesTheSameEmbeddings()
    {
        var original = OnnxModelFile.Load(miniLm.ModelPath);
        var written = _folder.File("minilm.onnx");

        var files = OnnxModelFile.Save(original, written);

        Assert.Equal([written], files);
        Assert.Equal(original, OnnxModelFile.Load(written));
        Assert.Equal(RunMiniLm(miniLm.ModelPath), RunMiniLm(written));
    }

    [Fact]
    public void SaveLoad_MiniLmWithExternalData_MovesWeightsOutAndGivesTheSameEmbeddings()
    {
        var original = OnnxModelFile.Load(miniLm.ModelPath);
        var written = _folder.File("model.onnx");

        var files = OnnxModelFile.Save(original, written, new OnnxSaveOptions { ExternalData = OnnxExternalDataMode.Always });

        Assert.Equal([written, written + ".data"], files);
        Assert.True(new FileInfo(written).Length < 1 << 20, "the weights should have left the model file");
        Assert.True(new FileInfo(written + ".data").Length > 80 << 20);
        Assert.Equal(original, OnnxModelFile.Load(written));
        Assert.Equal(RunMiniLm(miniLm.ModelPath), RunMiniLm(written));

        // Saving must not leave the in-memory model pointing at the data file.
        Assert.DoesNotContain(OnnxTensors.All(original), t => t.DataLocation == TensorProto.Types.DataLocation.External);
    }

    [Fact]
    public void SaveLoad_ResNet18_ParsesToAnEqualMessageAndGivesTheSameFeatures()
    {
        var original = OnnxModelFile.Load(SampleModels.ResNet18Path);
        var inline = _folder.File("resnet-inline.onnx");
        var external = _folder.File("resnet-external.onnx");

        OnnxModelFile.Save(original, inline);
        OnnxModelFile.Save(original, external, new OnnxSaveOptions { ExternalData = OnnxExternalDataMode.Always });

        Assert.Equal(original, OnnxModelFile.Load(inline));
        Assert.Equal(original, OnnxModelFile.Load(external));
        var expected = RunResNet(SampleModels.ResNet18Path);
        Assert.Equal(expected, RunResNet(inline));
        Assert.Equal(expected, RunResNet(external));
    }

    [Fact]
    public void SaveLoad_UnknownFields_AreWrittenBack()
    {
        var bytes = TinyModel();

        // Field 99 (varint 42) is not in the schema this code was generated from, as a newer IR's field would be.
        var withUnknown = bytes.Concat(new byte[] { 0x98, 0x06, 42 }).ToArray();
        var path = _folder.Write("unknown.onnx", withUnknown);
        var model = OnnxModelFile.Load(path);

        OnnxModelFile.Save(model, _folder.File("copy.onnx"));

        // Message equality includes unknown fields: the copy still has field 99, which the plain model lacks.
        var copy = OnnxModelFile.Load(_folder.File("copy.onnx"));
        Assert.Equal(model, copy);
        Assert.NotEqual(ModelProto.Parser.ParseFrom(bytes), copy);
        Assert.Equal(model.ToByteArray(), File.ReadAllBytes(_folder.File("copy.onnx")));
    }

    [Fact]
    public void Save_AutoOverTheSizeLimit_MovesLargeTensorsOut()
    {
        var model = ModelProto.Parser.ParseFrom(TinyModel());

        var files = OnnxModelFile.Save(model, _folder.File("auto.onnx"), new OnnxSaveOptions { InlineSizeLimit = 16, ExternalDataThreshold = 8 });

        Assert.Equal(2, files.Count);
        Assert.Equal(model, OnnxModelFile.Load(_folder.File("auto.onnx")));
    }

    [Fact]
    public void Save_NeverOverTheSizeLimit_RefusesAndWritesNothing()
    {
        var model = ModelProto.Parser.ParseFrom(TinyModel());

        var error = Assert.Throws<MaasException>(() =>
            OnnxModelFile.Save(model, _folder.File("never.onnx"), new OnnxSaveOptions { ExternalData = OnnxExternalDataMode.Never, InlineSizeLimit = 16 }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("/etc/passwd")]
    public void Load_ExternalDataOutsideTheFolder_IsRefused(string location)
    {
        var path = WriteWithExternal(location, offset: 0, length: 16);

        var error = Assert.Throws<MaasException>(() => OnnxModelFile.Load(path));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("outside the model's folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExternalDataPastTheEndOfItsFile_IsRefused()
    {
        File.WriteAllBytes(_folder.File("w.bin"), new byte[8]);
        var path = WriteWithExternal("w.bin", offset: 0, length: 16);

        var error = Assert.Throws<MaasException>(() => OnnxModelFile.Load(path));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Load_MissingExternalDataFile_IsRefused()
    {
        var path = WriteWithExternal("missing.bin", offset: 0, length: 16);

        var error = Assert.Throws<MaasException>(() => OnnxModelFile.Load(path));

        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotAModel_IsRefusedAsInvalidArgument()
    {
        var path = _folder.Write("junk.onnx", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);

        Assert.Equal(MaasErrorKind.InvalidArgument, Assert.Throws<MaasException>(() => OnnxModelFile.Load(path)).Kind);
    }

    public void Dispose() => _folder.Dispose();

    private static byte[] TinyModel() => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [4])
        .AddInitializer("w", TensorDataType.Fp32, [4], new[] { 1f, 2f, 3f, 4f })
        .AddOutput("y", TensorDataType.Fp32, [4])
        .AddNode("Add", ["x", "w"], ["y"])
        .ToBytes();

    private string WriteWithExternal(string location, long offset, long length)
    {
        var model = ModelProto.Parser.ParseFrom(TinyModel());
        var w = model.Graph.Initializer.Single();
        w.ClearRawData();
        w.FloatData.Clear();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return _folder.Write("external.onnx", model.ToByteArray());
    }

    private static float[] RunMiniLm(string path)
    {
        long[] ids = [101, 7592, 2088, 2003, 1037, 3231, 6251, 1012, 102, 0];
        long[] mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
        return (float[])OnnxRuntimeRunner.Run(
            path,
            [
                ("input_ids", TensorDataType.Int64, ids, [1, ids.Length]),
                ("attention_mask", TensorDataType.Int64, mask, [1, ids.Length]),
                ("token_type_ids", TensorDataType.Int64, new long[ids.Length], [1, ids.Length]),
            ],
            "924",
            TensorDataType.Fp32);
    }

    private static float[] RunResNet(string path)
    {
        var random = new Random(7);
        var image = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.NextDouble() * 255f).ToArray();
        return (float[])OnnxRuntimeRunner.Run(path, [("Input247", TensorDataType.Fp32, image, [1, 3, 224, 224])], "Pooling395_Output_0", TensorDataType.Fp32);
    }
}
