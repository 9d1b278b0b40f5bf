using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Registry.Abstractions;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>GGUF LoRA adapters pushed as versions of their own model over a base version. Runs on SQLite+folder and PostgreSQL+S3.</summary>
public abstract class AdapterPushTests(RegistryBackend backend) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "maas-adapter-push-" + Guid.NewGuid().ToString("N"));

    public sealed class SqliteFolder() : AdapterPushTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : AdapterPushTests(RegistryBackend.PostgresS3(cluster, s3));

    [Fact]
    public async Task PushAsync_AdapterNamingItsBase_StoresBaseFileOnceAndRecordsLineage()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var basePath = WriteBase("base.gguf", 64);
        var baseVersion = await PushFileAsync(host, "tiny", "tiny-f32.gguf", basePath);
        var adapterPath = Path.Combine(_folder, "adapter.gguf");
        LoraGguf.Write(basePath, adapterPath, new LoraAdapterOptions { Rank = 4, Alpha = 8 });
        var blobsBefore = (await host.StoredBlobsAsync()).Count;

        var adapter = await PushFileAsync(host, "tiny-poet", "adapter.gguf", adapterPath, baseReference: "tiny");

        Assert.Equal(ModelTasks.TextGeneration, adapter.Manifest.Task);
        Assert.Equal("adapter.gguf", adapter.Manifest.ModelFile);
        Assert.True(AdapterProperties.IsAdapter(adapter.Manifest));
        Assert.Equal(("lora", "tiny", "1", "4", "8"), (
            adapter.Manifest.Properties[AdapterProperties.Type],
            adapter.Manifest.Properties[AdapterProperties.BaseModel],
            adapter.Manifest.Properties[AdapterProperties.BaseVersion],
            adapter.Manifest.Properties[AdapterProperties.Rank],
            adapter.Manifest.Properties[AdapterProperties.Alpha]));
        Assert.Equal(TinyLlamaGguf.DefaultChatTemplate, adapter.Manifest.Properties["chat_template"]);
        var baseFile = Assert.Single(adapter.Files, f => f.Name == AdapterProperties.BaseFileName);
        Assert.Equal(Assert.Single(baseVersion.Files).Sha256, baseFile.Sha256);
        Assert.Equal(blobsBefore + 1, (await host.StoredBlobsAsync()).Count); // only the adapter's bytes are new
        var parent = Assert.Single(adapter.Lineage!.Parents);
        Assert.Equal(new LineageParent("tiny", 1, "base"), parent);
        Assert.Equal("lora", adapter.Lineage.Transform);
    }

    [Fact]
    public async Task PushAsync_AdapterWithoutBase_RefusedWithReason()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var basePath = WriteBase("base.gguf", 64);
        var adapterPath = Path.Combine(_folder, "adapter.gguf");
        LoraGguf.Write(basePath, adapterPath);
        var blobsBefore = (await host.StoredBlobsAsync()).Count;

        var error = await Assert.ThrowsAsync<MaasException>(() => PushFileAsync(host, "orphan", "adapter.gguf", adapterPath));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("name its base model", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Registry.GetModelAsync("orphan"));
        Assert.Equal(blobsBefore, (await host.StoredBlobsAsync()).Count);
    }

    [Theory]
    [InlineData(32, "is [32, 32] in the base")]
    [InlineData(0, "not a GGUF model")]
    public async Task PushAsync_AdapterForOtherBase_RefusedAndNothingStored(int baseWidth, string reason)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var adapterBase = WriteBase("adapter-base.gguf", 64);
        var adapterPath = Path.Combine(_folder, "adapter.gguf");
        LoraGguf.Write(adapterBase, adapterPath);
        if (baseWidth > 0)
        {
            await PushFileAsync(host, "small", "small.gguf", WriteBase("small.gguf", baseWidth));
        }
        else
        {
            await host.PushAsync("small", "onnx weights");
        }

        var blobsBefore = (await host.StoredBlobsAsync()).Count;

        var error = await Assert.ThrowsAsync<MaasException>(() => PushFileAsync(host, "misfit", "adapter.gguf", adapterPath, baseReference: "small:1"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Registry.GetModelAsync("misfit"));
        Assert.Equal(blobsBefore, (await host.StoredBlobsAsync()).Count);
    }

    [Fact]
    public async Task PushAsync_AdapterBaseMissing_Refused()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var adapterPath = Path.Combine(_folder, "adapter.gguf");
        LoraGguf.Write(WriteBase("base.gguf", 64), adapterPath);

        var error = await Assert.ThrowsAsync<MaasException>(() => PushFileAsync(host, "lost", "adapter.gguf", adapterPath, baseReference: "nowhere:3"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }

    private string WriteBase(string name, int width)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, name);
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { EmbeddingLength = width, FeedForwardLength = width * 2, ContextLength = 128 });
        return path;
    }

    private static async Task<ModelVersionInfo> PushFileAsync(RegistryTestHost host, string model, string name, string path, string? baseReference = null)
    {
        await using var stream = File.OpenRead(path);
        return await host.Registry.PushAsync(new PushRequest { Model = model, Files = [new PushFile(name, stream)], Base = baseReference });
    }
}
