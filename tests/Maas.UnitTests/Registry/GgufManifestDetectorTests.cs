using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;
using Maas.Tests.Shared;
using Maas.UnitTests.Formats;
using Maas.UnitTests.Formats.Gguf;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class GgufManifestDetectorTests(RegistryBackend backend) : IDisposable
{
    public sealed class SqliteFolder() : GgufManifestDetectorTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : GgufManifestDetectorTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : GgufManifestDetectorTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : GgufManifestDetectorTests(RegistryBackend.SqliteS3(s3));

    private static readonly string Digest = new('b', 64);

    private readonly TempModelFolder _folder = new();
    private readonly FakeSignatureReader _onnx = new();

    [Fact]
    public void Complete_TinyLlama_IsLlamaTextGenerationWithHeaderFacts()
    {
        TinyLlamaGguf.Write(_folder.File(Digest), new TinyLlamaOptions { Name = "tiny", ContextLength = 512 });

        var manifest = Detect(null, "tiny-f32.gguf");

        Assert.Equal((ModelFormats.Gguf, "llama", ModelTasks.TextGeneration, "tiny-f32.gguf"), (manifest.Format, manifest.Engine, manifest.Task, manifest.ModelFile));
        Assert.Equal("llama", manifest.Properties["architecture"]);
        Assert.Equal("tiny", manifest.Properties["name"]);
        Assert.Equal("F32", manifest.Properties["quantization"]);
        Assert.Equal("512", manifest.Properties["context_length"]);
        Assert.Equal("<s>", manifest.Properties["bos_token"]);
        Assert.Equal("1", manifest.Properties["bos_token_id"]);
        Assert.Equal("</s>", manifest.Properties["eos_token"]);
        Assert.Equal(TinyLlamaGguf.DefaultChatTemplate, manifest.Properties["chat_template"]);
        Assert.True(long.Parse(manifest.Properties["parameter_count"], System.Globalization.CultureInfo.InvariantCulture) > 100_000);
        Assert.Empty(_onnx.Paths);
    }

    [Fact]
    public void Complete_EmbeddingArchitecture_IsEmbeddingsTask()
    {
        new GgufWriter().SetString(GgufKeys.Architecture, "nomic-bert").SetUInt32("nomic-bert.pooling_type", 1).Write(_folder.File(Digest));

        var manifest = Detect(null, "embed.gguf");

        Assert.Equal(ModelTasks.Embeddings, manifest.Task);
        Assert.Equal("nomic-bert", manifest.Properties["architecture"]);
    }

    [Fact]
    public void Complete_GivenTaskAndProperties_WinOverDetected()
    {
        TinyLlamaGguf.Write(_folder.File(Digest));
        var given = new ModelManifest
        {
            Task = ModelTasks.Embeddings,
            ModelFile = "m.gguf",
            Properties = new Dictionary<string, string> { ["chat_template"] = "mine" },
        };

        var manifest = Detect(given, "m.gguf");

        Assert.Equal(ModelTasks.Embeddings, manifest.Task);
        Assert.Equal("mine", manifest.Properties["chat_template"]);
        Assert.Equal("llama", manifest.Properties["architecture"]);
    }

    [Fact]
    public void Complete_CorruptGguf_ThrowsInvalidArgumentNamingTheFile()
    {
        File.WriteAllBytes(_folder.File(Digest), "GGUF\u0003\0\0\0garbage"u8.ToArray());

        var error = Assert.Throws<MaasException>(() => Detect(null, "broken.gguf"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("'broken.gguf' is not a valid GGUF file:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushAsync_TinyGguf_StoresLlamaTextGenerationVersionWithProperties()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var bytes = TinyLlamaF16();

        var version = await host.Registry.PushAsync(new PushRequest { Model = "tiny", Files = [new PushFile("tiny.gguf", new MemoryStream(bytes))] });

        var manifest = version.Manifest;
        Assert.Equal((ModelFormats.Gguf, "llama", ModelTasks.TextGeneration), (manifest.Format, manifest.Engine, manifest.Task));
        Assert.Equal("llama", manifest.Properties["architecture"]);
        Assert.Equal("F16", manifest.Properties["quantization"]);
        Assert.Equal("2", manifest.Properties["block_count"]);
    }

    [Fact]
    public async Task PushAsync_CorruptGguf_FailsInvalidArgumentAndStoresNoVersion()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var bytes = TinyLlamaF16()[..200];

        var error = await Assert.ThrowsAsync<MaasException>(() =>
            host.Registry.PushAsync(new PushRequest { Model = "tiny", Files = [new PushFile("tiny.gguf", new MemoryStream(bytes))] }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'tiny.gguf' is not a valid GGUF file", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Registry.GetModelAsync("tiny"));
    }

    public void Dispose() => _folder.Dispose();

    private ModelManifest Detect(ModelManifest? given, string fileName) =>
        new ManifestDetector(_onnx).Complete(given, [new ArtifactFile(fileName, 1, Digest)], _folder.File);

    private static byte[] TinyLlamaF16() =>
        GgufTestFiles.ToBytes(TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { WeightType = GgmlType.F16 }));
}
