using System.Security.Cryptography;
using Maas.Core.Errors;
using Maas.Registry;
using Maas.Registry.Artifacts;
using Maas.UnitTests.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run once per store (folder, S3): each subclass says how to configure
/// the registry for its store, and the store is taken from the registry's own DI registration.
/// </summary>
public abstract class ArtifactStoreContractTests : IAsyncLifetime
{
    /// <summary>Above the S3 subclass's multipart threshold (6 MiB with 5 MiB parts): three parts, the last one short.</summary>
    protected const int LargeSize = (13 * 1024 * 1024) + 17;

    private ServiceProvider? _provider;

    protected string DataDirectory { get; } = RegistryTestHost.NewDataDirectory();

    protected IArtifactStore Store { get; private set; } = null!;

    private protected RecordingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var configure = await ConfigureAsync();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddMaasRegistry(o =>
        {
            o.DataDirectory = DataDirectory;
            configure(o);
        });
        _provider = services.BuildServiceProvider();
        var options = _provider.GetRequiredService<RegistryOptions>();
        var name = ArtifactStoreSelection.StoreName(options);
        Store = _provider.GetServices<IArtifactStore>().Single(s => s.Name == name);
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        RegistryTestHost.DeleteDirectory(DataDirectory);
        Logs.Dispose();
    }

    [Fact]
    public async Task StageAsync_Content_ReportsSha256AndSize()
    {
        var content = Bytes(1000, seed: 1);

        var staged = await Store.StageAsync(new MemoryStream(content));

        Assert.Equal(Sha256(content), staged.Sha256);
        Assert.Equal(content.Length, staged.Size);
        Assert.False(await Store.ExistsAsync(staged.Sha256));
        await Store.DiscardAsync(staged);
    }

    [Fact]
    public async Task CommitAsync_NewBlob_StoredAndReadableByDigest()
    {
        var content = Bytes(4096, seed: 2);
        var staged = await Store.StageAsync(new MemoryStream(content));

        var created = await Store.CommitAsync(staged);

        Assert.True(created);
        Assert.True(await Store.ExistsAsync(staged.Sha256));
        Assert.Contains(staged.Sha256, await Store.ListAsync());
        Assert.Equal(content, await ReadAllAsync(staged.Sha256));
    }

    [Fact]
    public async Task CommitAsync_EmptyContent_StoredAsEmptyBlob()
    {
        var staged = await Store.StageAsync(new MemoryStream());

        Assert.True(await Store.CommitAsync(staged));

        Assert.Equal(Sha256([]), staged.Sha256);
        Assert.Empty(await ReadAllAsync(staged.Sha256));
    }

    [Fact]
    public async Task CommitAsync_SameBytesTwice_SecondIsDeduplicated()
    {
        var content = Bytes(2048, seed: 3);
        var first = await Store.StageAsync(new MemoryStream(content));
        Assert.True(await Store.CommitAsync(first));
        var second = await Store.StageAsync(new MemoryStream(content));

        var created = await Store.CommitAsync(second);

        Assert.False(created);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Single(await Store.ListAsync(), first.Sha256);
        Assert.Equal(0, await Store.ClearStagingAsync());
        Assert.Equal(content, await ReadAllAsync(first.Sha256));
    }

    [Fact]
    public async Task DiscardAsync_StagedBlob_NothingStoredNothingLeft()
    {
        var staged = await Store.StageAsync(new MemoryStream(Bytes(500, seed: 4)));

        await Store.DiscardAsync(staged);

        Assert.False(await Store.ExistsAsync(staged.Sha256));
        Assert.Empty(await Store.ListAsync());
        Assert.Equal(0, await Store.ClearStagingAsync());
    }

    [Fact]
    public async Task StageAsync_ContentFailsHalfWay_ThrowsAndLeavesNothing()
    {
        await Assert.ThrowsAsync<IOException>(() => Store.StageAsync(new FailingStream(300_000)));

        Assert.Equal(0, await Store.ClearStagingAsync());
        Assert.Empty(await Store.ListAsync());
    }

    [Fact]
    public async Task DeleteAsync_StoredBlob_GoneAndSecondDeleteReturnsFalse()
    {
        var digest = await CommitAsync(Bytes(300, seed: 5));

        Assert.True(await Store.DeleteAsync(digest));

        Assert.False(await Store.ExistsAsync(digest));
        Assert.DoesNotContain(digest, await Store.ListAsync());
        Assert.False(await Store.DeleteAsync(digest));
        var missing = await Assert.ThrowsAsync<MaasException>(() => Store.OpenReadAsync(digest));
        Assert.Equal(MaasErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task ExistsAsync_NeverStored_False()
    {
        Assert.False(await Store.ExistsAsync(Sha256(Bytes(10, seed: 6))));
    }

    [Fact]
    public async Task OpenReadAsync_NeverStored_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<MaasException>(() => Store.OpenReadAsync(Sha256(Bytes(10, seed: 7))));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    public async Task Operations_MalformedDigest_ThrowInvalidArgument(string digest)
    {
        Assert.Equal(MaasErrorKind.InvalidArgument, (await Assert.ThrowsAsync<MaasException>(() => Store.ExistsAsync(digest))).Kind);
        Assert.Equal(MaasErrorKind.InvalidArgument, (await Assert.ThrowsAsync<MaasException>(() => Store.OpenReadAsync(digest))).Kind);
        Assert.Equal(MaasErrorKind.InvalidArgument, (await Assert.ThrowsAsync<MaasException>(() => Store.DeleteAsync(digest))).Kind);
    }

    [Fact]
    public async Task CommitAsync_ForgedStagingId_Refused()
    {
        var staged = await Store.StageAsync(new MemoryStream(Bytes(10, seed: 8)));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(staged with { StagingId = "../" + staged.StagingId }));

        await Store.DiscardAsync(staged);
    }

    [Fact]
    public async Task ListAsync_SeveralBlobs_ListsEachOnce()
    {
        var digests = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            digests.Add(await CommitAsync(Bytes(100 + i, seed: 100 + i)));
        }

        var listed = await Store.ListAsync();

        Assert.Equal(digests.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClearStagingAsync_UncommittedUploads_RemovedAndNotCommittable()
    {
        var first = await Store.StageAsync(new MemoryStream(Bytes(100, seed: 9)));
        var second = await Store.StageAsync(new MemoryStream(Bytes(100, seed: 10)));

        var cleared = await Store.ClearStagingAsync();

        Assert.Equal(2, cleared);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.CommitAsync(first));
        Assert.False(await Store.ExistsAsync(second.Sha256));
        Assert.Equal(0, await Store.ClearStagingAsync());
    }

    [Fact]
    public async Task CommitAsync_LargeBlob_RoundTripsByteForByte()
    {
        var content = Bytes(LargeSize, seed: 11);

        var digest = await CommitAsync(content);

        Assert.Equal(Sha256(content), digest);
        Assert.Equal(content, await ReadAllAsync(digest));
        Assert.Equal(0, await Store.ClearStagingAsync());
    }

    [Fact]
    public async Task CommitAsync_ConcurrentDifferentBlobs_AllStored()
    {
        var contents = Enumerable.Range(0, 6).Select(i => Bytes(50_000 + i, seed: 200 + i)).ToList();

        var digests = await Task.WhenAll(contents.Select(c => Task.Run(() => CommitAsync(c))));

        for (var i = 0; i < contents.Count; i++)
        {
            Assert.Equal(contents[i], await ReadAllAsync(digests[i]));
        }
    }

    /// <summary>Settings that select this store (a bucket is created here when one is needed).</summary>
    protected abstract Task<Action<RegistryOptions>> ConfigureAsync();

    protected async Task<string> CommitAsync(byte[] content)
    {
        var staged = await Store.StageAsync(new MemoryStream(content));
        await Store.CommitAsync(staged);
        return staged.Sha256;
    }

    protected async Task<byte[]> ReadAllAsync(string sha256)
    {
        await using var stream = await Store.OpenReadAsync(sha256);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
