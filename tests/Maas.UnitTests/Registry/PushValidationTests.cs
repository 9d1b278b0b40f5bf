using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class PushValidationTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : PushValidationTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : PushValidationTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : PushValidationTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : PushValidationTests(RegistryBackend.SqliteS3(s3));

    [Theory]
    [InlineData("")]
    [InlineData("-bert")]
    [InlineData("bert/base")]
    [InlineData("bert base")]
    [InlineData("bert@prod")]
    public async Task PushAsync_InvalidModelName_ThrowsInvalidArgument(string name)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.PushAsync(name));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Fact]
    public async Task PushAsync_NoFiles_ThrowsInvalidArgument()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(new PushRequest { Model = "bert", Files = [] }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("at least one file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.onnx", "model.onnx")]
    [InlineData("model.onnx", "MODEL.onnx")]
    public async Task PushAsync_DuplicateFileNames_ThrowsInvalidArgument(string first, string second)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var request = new PushRequest { Model = "bert", Files = [RegistryTestHost.File(first, "a"), RegistryTestHost.File(second, "b")] };

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Theory]
    [InlineData("../model.onnx")]
    [InlineData("..")]
    [InlineData("sub/model.onnx")]
    [InlineData("sub\\model.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a..b")]
    public async Task PushAsync_UnsafeFileName_ThrowsInvalidArgument(string fileName)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var request = new PushRequest { Model = "bert", Files = [RegistryTestHost.File(fileName, "a")] };

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("prod uction")]
    [InlineData("@latest")]
    public async Task PushAsync_InvalidAlias_ThrowsInvalidArgument(string alias)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.PushAsync("bert", alias: alias));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task PushAsync_UnknownTask_ThrowsInvalidArgumentAndStoresNothing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var request = new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "w")],
            Manifest = new ModelManifest { Task = "telepathy" },
        };

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("telepathy", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Registry.GetModelAsync("bert"));
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Fact]
    public async Task PushAsync_CorruptOnnx_ThrowsInvalidArgumentNamingTheFile()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        host.Signatures.Reader = _ => throw new InvalidDataException("protobuf ended early");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.PushAsync("bert", "not really onnx"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("'model.onnx' is not a valid ONNX model: protobuf ended early", error.Message);
        Assert.Null(await host.Registry.GetModelAsync("bert"));
        Assert.Empty(await host.StoredBlobsAsync());
        Assert.Empty(host.StagingEntries());
    }

    [Fact]
    public async Task PushAsync_NoModelFile_ThrowsInvalidArgument()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var request = new PushRequest { Model = "bert", Files = [RegistryTestHost.File("vocab.txt", "hello")] };

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("no model file", error.Message, StringComparison.Ordinal);
        Assert.Empty(await host.StoredBlobsAsync());
    }

    [Fact]
    public async Task PushAsync_EmptyActor_ThrowsInvalidArgument()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.PushAsync("bert", actor: " "));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }
}
