using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;

namespace Maas.UnitTests.Registry;

public sealed class ManifestDetectorTests
{
    private static readonly string Digest = new('a', 64);

    private readonly FakeSignatureReader _reader = new();

    [Fact]
    public void Complete_BertEncoderWithVocab_DetectsEmbeddingsPipeline()
    {
        _reader.Reader = _ => FakeSignatureReader.BertEncoder;

        var manifest = Detect(null, "model.onnx", "vocab.txt");

        Assert.Equal(ModelTasks.Embeddings, manifest.Task);
        var wordPiece = Assert.Single(manifest.PreProcessing);
        Assert.Equal(ProcessingSteps.WordPiece, wordPiece.Name);
        Assert.Equal("vocab.txt", wordPiece.Parameters["vocab"]);
        Assert.Equal("true", wordPiece.Parameters["lowercase"]);
        Assert.Equal("256", wordPiece.Parameters["max_length"]);
        Assert.Equal([ProcessingSteps.MeanPooling, ProcessingSteps.L2Normalize], manifest.PostProcessing.Select(s => s.Name));
        Assert.Equal("last_hidden_state", manifest.PostProcessing[0].Parameters["output"]);
        Assert.Equal(3, manifest.Inputs.Count);
        Assert.Equal("/store/" + Digest, Assert.Single(_reader.Paths));
    }

    [Fact]
    public void Complete_BertEncoderWithoutVocab_IsTensorModel()
    {
        _reader.Reader = _ => FakeSignatureReader.BertEncoder;

        var manifest = Detect(null, "model.onnx");

        Assert.Equal(ModelTasks.Tensor, manifest.Task);
        Assert.Empty(manifest.PreProcessing);
        Assert.Empty(manifest.PostProcessing);
    }

    [Fact]
    public void Complete_PlainOnnx_IsTensorWithSignatureAndProperties()
    {
        var manifest = Detect(null, "net.onnx");

        Assert.Equal(ModelTasks.Tensor, manifest.Task);
        Assert.Equal((ModelFormats.Onnx, ModelFormats.Onnx, "net.onnx"), (manifest.Format, manifest.Engine, manifest.ModelFile));
        Assert.Equal(FakeSignatureReader.TensorModel.Inputs, manifest.Inputs);
        Assert.Equal(FakeSignatureReader.TensorModel.Outputs, manifest.Outputs);
        Assert.Equal("17", manifest.Properties["opset"]);
        Assert.Equal("8", manifest.Properties["ir_version"]);
        Assert.Equal("pytorch 2.1.0", manifest.Properties["producer"]);
    }

    [Fact]
    public void Complete_ManifestWithSignature_KeepsGivenSignatureAndTask()
    {
        var given = new ModelManifest
        {
            Task = ModelTasks.Classification,
            Inputs = [new TensorSpec("x", TensorDataType.Fp32, [1, 8])],
            Outputs = [new TensorSpec("y", TensorDataType.Fp32, [1, 3])],
            Properties = new Dictionary<string, string> { ["producer"] = "hand-made" },
        };

        var manifest = Detect(given, "model.onnx", "vocab.txt");

        Assert.Equal(ModelTasks.Classification, manifest.Task);
        Assert.Equal("x", Assert.Single(manifest.Inputs).Name);
        Assert.Equal("y", Assert.Single(manifest.Outputs).Name);
        Assert.Equal("hand-made", manifest.Properties["producer"]);
    }

    [Fact]
    public void Complete_ExplicitModelFile_PicksItAmongSeveralOnnxFiles()
    {
        var manifest = Detect(new ModelManifest { ModelFile = "decoder.onnx" }, "encoder.onnx", "decoder.onnx");

        Assert.Equal("decoder.onnx", manifest.ModelFile);
    }

    [Fact]
    public void Complete_SeveralOnnxFilesWithoutChoice_ThrowsInvalidArgument()
    {
        var error = Assert.Throws<MaasException>(() => Detect(null, "encoder.onnx", "decoder.onnx"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Complete_ExplicitModelFileMissing_ThrowsInvalidArgument()
    {
        var error = Assert.Throws<MaasException>(() => Detect(new ModelManifest { ModelFile = "other.onnx" }, "model.onnx"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("other.onnx", error.Message, StringComparison.Ordinal);
    }

    private ModelManifest Detect(ModelManifest? given, params string[] fileNames) =>
        new ManifestDetector(_reader).Complete(given, fileNames.Select(n => new ArtifactFile(n, 1, Digest)).ToList(), sha => "/store/" + sha);
}
