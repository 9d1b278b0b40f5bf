using System.Security.Cryptography;
using System.Text;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Registry.Abstractions;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class PushTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : PushTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : PushTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : PushTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : PushTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task PushAsync_ThreePushes_NumbersVersionsOneTwoThree()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var numbers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add((await host.PushAsync("bert", $"weights {i}")).Version);
        }

        Assert.Equal([1, 2, 3], numbers);
        var details = await host.Registry.GetModelAsync("bert");
        Assert.NotNull(details);
        Assert.Equal([3, 2, 1], details.Versions.Select(v => v.Version));
        Assert.Equal(3, details.Summary.VersionCount);
        Assert.Equal(3, details.Summary.LatestVersion);
    }

    [Fact]
    public async Task PushAsync_SameBytesTwice_StoresOneBlob()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var first = await host.PushAsync("bert", "same bytes");
        var second = await host.PushAsync("other", "same bytes");

        Assert.Equal(first.Files[0].Sha256, second.Files[0].Sha256);
        Assert.Single(await host.StoredBlobsAsync());
        Assert.Empty(host.StagingEntries());
    }

    [Fact]
    public async Task PushAsync_Files_RecordsSizeAndSha256OfContent()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var vocab = "[PAD]\n[UNK]\nhello\n";

        var version = await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "weights"), RegistryTestHost.File("vocab.txt", vocab)],
        });

        var file = Assert.Single(version.Files, f => f.Name == "vocab.txt");
        var bytes = Encoding.UTF8.GetBytes(vocab);
        Assert.Equal(bytes.Length, file.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        var path = await host.Registry.GetArtifactPathAsync(file.Sha256);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        var resolved = await host.Registry.ResolveAsync(new ModelReference("bert"));
        Assert.Equal(version.Files, resolved.Files);
    }

    [Fact]
    public async Task PushAsync_ContentFailsHalfway_LeavesNoVersionBlobOrTempFile()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var request = new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("vocab.txt", "complete file"), new PushFile("model.onnx", new FailingStream(300_000))],
        };

        await Assert.ThrowsAsync<IOException>(() => host.Registry.PushAsync(request));

        Assert.Null(await host.Registry.GetModelAsync("bert"));
        Assert.Empty(await host.StoredBlobsAsync());
        Assert.Empty(host.StagingEntries());
        var report = await host.Registry.CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent);
    }

    [Fact]
    public async Task PushAsync_FailureAfterBlobsStored_KeepsBlobsOtherVersionsUse()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var existing = await host.PushAsync("bert", "shared weights");
        host.Signatures.Reader = _ => throw new InvalidDataException("truncated protobuf");

        var request = new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "shared weights"), RegistryTestHost.File("vocab.txt", "only in the failed push")],
        };
        await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        Assert.Equal([existing.Files[0].Sha256], await host.StoredBlobsAsync());
        Assert.Equal(1, (await host.Registry.GetModelAsync("bert"))!.Summary.VersionCount);
    }

    [Fact]
    public async Task PushAsync_EightInParallel_GetDistinctConsecutiveNumbers()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var pushes = Enumerable.Range(0, 8).Select(i => Task.Run(() => host.PushAsync("bert", $"weights {i}")));
        var versions = await Task.WhenAll(pushes);

        Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version).Order());
        Assert.Equal(8, (await host.Registry.GetModelAsync("bert"))!.Versions.Count);
    }

    [Fact]
    public async Task PushAsync_WithLineage_RoundTripsThroughStore()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");
        var lineage = Lineage.From("bert", 1, "quantize", new Dictionary<string, string> { ["mode"] = "int8", ["per_channel"] = "true" });

        await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert-int8",
            Files = [RegistryTestHost.File("model.onnx", "smaller weights")],
            Lineage = lineage,
        });

        var stored = (await host.Registry.ResolveAsync(new ModelReference("bert-int8"))).Lineage;
        Assert.NotNull(stored);
        Assert.Equal(("bert", 1, "quantize"), (stored.Parents[0].Model, stored.Parents[0].Version, stored.Transform));
        Assert.Equal(lineage.Parameters.OrderBy(p => p.Key), stored.Parameters.OrderBy(p => p.Key));
        Assert.Null((await host.Registry.ResolveAsync(new ModelReference("bert"))).Lineage);
    }

    [Fact]
    public async Task PushAsync_ManifestWithProcessing_RoundTripsThroughStore()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var manifest = new ModelManifest
        {
            Task = ModelTasks.Classification,
            Inputs = [new TensorSpec("pixels", TensorDataType.Fp32, [1, 3, 224, 224])],
            Outputs = [new TensorSpec("logits", TensorDataType.Fp32, [1, 1000])],
            PostProcessing = [new ProcessingStep(ProcessingSteps.Softmax)],
            Labels = ["cat", "dog"],
        };

        await host.Registry.PushAsync(new PushRequest { Model = "resnet", Files = [RegistryTestHost.File("model.onnx", "w")], Manifest = manifest });

        var stored = (await host.Registry.ResolveAsync(new ModelReference("resnet"))).Manifest;
        Assert.Equal(ModelTasks.Classification, stored.Task);
        var input = Assert.Single(stored.Inputs);
        Assert.Equal(("pixels", TensorDataType.Fp32, "[1, 3, 224, 224]"), (input.Name, input.DataType, input.ShapeText));
        Assert.Equal([1L, 1000L], stored.Outputs[0].Shape);
        Assert.Equal(ProcessingSteps.Softmax, Assert.Single(stored.PostProcessing).Name);
        Assert.Equal(["cat", "dog"], stored.Labels);
        Assert.Equal("17", stored.Properties["opset"]);
    }

    [Fact]
    public async Task PushAsync_DescriptionAndTags_AppearInListing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "w")],
            Description = "sentence encoder",
            Tags = new Dictionary<string, string> { ["team"] = "search" },
            Alias = "production",
        });

        var summary = Assert.Single(await host.Registry.ListModelsAsync());
        Assert.Equal("sentence encoder", summary.Description);
        Assert.Equal("search", summary.Tags["team"]);
        Assert.Equal(1, summary.Aliases["production"]);
    }

    [Fact]
    public async Task PushAsync_Committed_RaisesModelChanged()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var changed = new List<string>();
        host.Registry.ModelChanged += (_, e) => changed.Add(e.Model);

        await host.PushAsync("bert");

        Assert.Equal(["bert"], changed);
    }

    [Fact]
    public async Task PushAsync_BertEncoderWithVocab_StoresDetectedEmbeddingsManifest()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        host.Signatures.Reader = _ => FakeSignatureReader.BertEncoder;

        var pushed = await host.Registry.PushAsync(new PushRequest
        {
            Model = "minilm",
            Files = [RegistryTestHost.File("model.onnx", "encoder"), RegistryTestHost.File("vocab.txt", "[PAD]")],
        });

        var stored = (await host.Registry.ResolveAsync(new ModelReference("minilm"))).Manifest;
        Assert.Equal(ModelTasks.Embeddings, pushed.Manifest.Task);
        Assert.Equal(ModelTasks.Embeddings, stored.Task);
        Assert.Equal("vocab.txt", Assert.Single(stored.PreProcessing).Parameters["vocab"]);
        Assert.Equal("last_hidden_state", stored.PostProcessing[0].Parameters["output"]);
        Assert.Equal(ProcessingSteps.L2Normalize, stored.PostProcessing[1].Name);
        Assert.Equal(await host.Registry.GetArtifactPathAsync(pushed.Files.Single(f => f.Name == "model.onnx").Sha256), Assert.Single(host.Signatures.Paths));
    }
}
