using System.Security.Cryptography;
using Maas.Core.Errors;
using Maas.Registry;
using Maas.Registry.Artifacts;
using Maas.Registry.Artifacts.Encryption;
using Maas.Tests.Shared;
using Maas.UnitTests.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run once per store (folder, S3): each subclass says how to configure
/// the registry for its store and how to look at it from outside (<see cref="ArtifactStoreProbe"/>), and the store is
/// taken from the registry's own DI registration. Staging, commit, discard, exists, delete, list, open-read, clearing
/// staging (all of it, or only the stale part) and codecs (a test codec and AES-256-GCM at rest) are checked here.
/// </summary>
public abstract class ArtifactStoreContractTests : IAsyncLifetime
{
    /// <summary>Above the S3 subclass's multipart threshold (6 MiB with 5 MiB parts): three parts, the last one short.</summary>
    protected const int LargeSize = (13 * 1024 * 1024) + 17;

    private readonly List<ServiceProvider> _providers = [];

    protected string DataDirectory { get; } = RegistryTestHost.NewDataDirectory();

    protected IArtifactStore Store { get; private set; } = null!;

    /// <summary>The store behind <see cref="Store"/>, as seen from outside it.</summary>
    protected ArtifactStoreProbe Probe { get; private set; } = null!;

    private protected RecordingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync() => (Store, Probe) = await BuildStoreAsync(DataDirectory, Logs);

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
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

    [Fact]
    public async Task ClearStagingAsync_OlderThan_RemovesOnlyStaleLeftoversLiveUploadStillCommits()
    {
        var stale = Probe.PlantStagingLeftover("dead-process.stage", TimeSpan.FromHours(2));
        var live = await Store.StageAsync(new MemoryStream(Bytes(100, seed: 12)));

        var cleared = await Store.ClearStagingAsync(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));

        Assert.Equal(1, cleared);
        Assert.False(File.Exists(stale));
        Assert.True(await Store.CommitAsync(live));
        Assert.Equal([live.Sha256], await Probe.BlobsAsync());
        Assert.Empty(Probe.StagingEntries());
    }

    [Fact]
    public async Task CommitAsync_NonIdentityCodec_StoresEncodedBytesAndReadsPlain()
    {
        var content = Bytes(5000, seed: 8);
        var (store, probe) = await BuildStoreAsync(Path.Combine(DataDirectory, "codec"), services: s => s.AddSingleton<IArtifactCodec>(new XorArtifactCodec()));

        var staged = await store.StageAsync(new MemoryStream(content));
        await store.CommitAsync(staged);

        Assert.Equal(Sha256(content), staged.Sha256);
        Assert.Equal(XorArtifactCodec.Apply(content), await probe.ReadAsync(staged.Sha256));
        Assert.Equal(content, await ReadAllAsync(store, staged.Sha256));
        Assert.Null(store.LocalPathOf(staged.Sha256));
    }

    [Fact]
    public async Task CommitAsync_AesGcmAtRest_StoredSealedReadPlainTamperingRefused()
    {
        var content = Bytes(70_000, seed: 13);
        var (store, probe) = await BuildStoreAsync(
            Path.Combine(DataDirectory, "encrypted"),
            configure: ArtifactTestHost.Keys("one", ("one", AesGcmCodecTests.NewKey())));

        var digest = await CommitAsync(store, content);

        var stored = await probe.ReadAsync(digest);
        Assert.True(stored.AsSpan().StartsWith(AesGcmFormat.Magic));
        Assert.Equal(-1, stored.AsSpan().IndexOf(content.AsSpan(0, 64)));
        Assert.Equal(content, await ReadAllAsync(store, digest));
        await probe.TamperAsync(digest, AesGcmFormat.FixedHeaderSize + 5);
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(store, digest));
    }

    /// <summary>Settings that select this store and a probe that looks at the same store, for a registry over
    /// <paramref name="dataDirectory"/> (a bucket is created here when one is needed).</summary>
    protected abstract Task<(Action<RegistryOptions> Configure, ArtifactStoreProbe Probe)> SetUpAsync(string dataDirectory);

    /// <summary>A store built as a registry over <paramref name="dataDirectory"/> would build it, disposed with the test.</summary>
    private protected async Task<(IArtifactStore Store, ArtifactStoreProbe Probe)> BuildStoreAsync(
        string dataDirectory, RecordingLoggerProvider? logs = null, Action<RegistryOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var (select, probe) = await SetUpAsync(dataDirectory);
        var collection = new ServiceCollection();
        if (logs is not null)
        {
            collection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        services?.Invoke(collection);
        collection.AddMaasRegistry(o =>
        {
            o.DataDirectory = dataDirectory;
            select(o);
            configure?.Invoke(o);
        });
        var provider = collection.BuildServiceProvider();
        _providers.Add(provider);
        var options = provider.GetRequiredService<RegistryOptions>();
        var name = ArtifactStoreSelection.StoreName(options);
        return (provider.GetServices<IArtifactStore>().Single(s => s.Name == name), probe);
    }

    protected Task<string> CommitAsync(byte[] content) => CommitAsync(Store, content);

    protected static async Task<string> CommitAsync(IArtifactStore store, byte[] content)
    {
        var staged = await store.StageAsync(new MemoryStream(content));
        await store.CommitAsync(staged);
        return staged.Sha256;
    }

    protected Task<byte[]> ReadAllAsync(string sha256) => ReadAllAsync(Store, sha256);

    protected static async Task<byte[]> ReadAllAsync(IArtifactStore store, string sha256)
    {
        await using var stream = await store.OpenReadAsync(sha256);
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
