using System.Security.Cryptography;
using Maas.Registry.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>The size-bounded local cache over a store without local files.</summary>
public sealed class ArtifactCacheTests : IDisposable
{
    private readonly string _dir = RegistryTestHost.NewDataDirectory();
    private readonly MemoryArtifactStore _store = new();
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);

    public void Dispose() => RegistryTestHost.DeleteDirectory(_dir);

    private ArtifactCache Cache(long capacity) =>
        new(_store, _dir, capacity, () => [new Usage(_inUse)], NullLogger.Instance);

    private string Blob(int size = 100) => _store.Add(RandomNumberGenerator.GetBytes(size));

    private string CopyPath(string sha) => Path.Combine(_dir, "sha256", sha[..2], sha);

    [Fact]
    public async Task GetLocalPathAsync_OverCapacity_LeastRecentlyUsedCopyEvicted()
    {
        var cache = Cache(capacity: 250);
        string a = Blob(), b = Blob(), c = Blob();
        await cache.GetLocalPathAsync(a);
        await cache.GetLocalPathAsync(b);
        await cache.GetLocalPathAsync(a);

        await cache.GetLocalPathAsync(c);

        Assert.True(File.Exists(CopyPath(a)));
        Assert.False(File.Exists(CopyPath(b)));
        Assert.True(File.Exists(CopyPath(c)));
        Assert.Equal(200, cache.TotalBytes);
        Assert.Equal(1, _store.Reads(a));

        // An evicted blob is simply fetched again.
        await cache.GetLocalPathAsync(b);
        Assert.Equal(2, _store.Reads(b));
        Assert.False(File.Exists(CopyPath(a)));
    }

    [Fact]
    public async Task GetLocalPathAsync_LeastRecentlyUsedIsInUse_NextOneEvictedInstead()
    {
        var cache = Cache(capacity: 250);
        string a = Blob(), b = Blob(), c = Blob();
        await cache.GetLocalPathAsync(a);
        await cache.GetLocalPathAsync(b);
        _inUse.Add(a);

        await cache.GetLocalPathAsync(c);

        Assert.True(File.Exists(CopyPath(a)));
        Assert.False(File.Exists(CopyPath(b)));
        Assert.True(File.Exists(CopyPath(c)));
    }

    [Fact]
    public async Task GetLocalPathAsync_EverythingInUse_StaysOverCapacityDeletesNothing()
    {
        var cache = Cache(capacity: 150);
        string a = Blob(), b = Blob();
        _inUse.UnionWith([a, b]);

        await cache.GetLocalPathAsync(a);
        await cache.GetLocalPathAsync(b);

        Assert.True(File.Exists(CopyPath(a)) && File.Exists(CopyPath(b)));
        Assert.Equal(200, cache.TotalBytes);
    }

    [Fact]
    public async Task GetLocalPathAsync_ConcurrentRequestsForOneBlob_OneFetch()
    {
        var cache = Cache(capacity: 10_000);
        var a = Blob(5000);
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 8).Select(_ => cache.GetLocalPathAsync(a)).ToList();
        _store.Gate.SetResult();
        var paths = await Task.WhenAll(requests);

        Assert.Single(paths.Distinct());
        Assert.Equal(1, _store.Reads(a));
        Assert.Equal(5000, new FileInfo(paths[0]).Length);
    }

    [Fact]
    public async Task GetLocalPathAsync_CancelledCaller_OthersStillGetTheCopy()
    {
        var cache = Cache(capacity: 10_000);
        var a = Blob();
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var cancelled = cache.GetLocalPathAsync(a, cancel.Token);
        var other = cache.GetLocalPathAsync(a);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _store.Gate.SetResult();

        Assert.True(File.Exists(await other));
    }

    [Fact]
    public async Task GetLocalPathAsync_StoreBytesDoNotMatchDigest_RefusedNoCopyLeft()
    {
        var cache = Cache(capacity: 10_000);
        var a = Blob();
        _store.Corrupt(a, RandomNumberGenerator.GetBytes(100));

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => cache.GetLocalPathAsync(a));

        Assert.Equal(a, error.Sha256);
        Assert.StartsWith("failed verification: its bytes hash to sha256:", error.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task GetLocalPathAsync_AfterRestart_EarlierCopiesCountAndOldestGoesFirst()
    {
        string a = Blob(), b = Blob(), c = Blob();
        var first = Cache(capacity: 1000);
        await first.GetLocalPathAsync(a);
        File.SetLastWriteTimeUtc(CopyPath(a), DateTime.UtcNow.AddHours(-2));
        await first.GetLocalPathAsync(b);
        File.SetLastWriteTimeUtc(CopyPath(b), DateTime.UtcNow.AddHours(-1));
        await File.WriteAllTextAsync(CopyPath(b) + ".0123.tmp", "left by a crash");

        var restarted = Cache(capacity: 250);
        await restarted.GetLocalPathAsync(c);

        Assert.False(File.Exists(CopyPath(a)));
        Assert.True(File.Exists(CopyPath(b)));
        Assert.Equal(200, restarted.TotalBytes);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(1, _store.Reads(b));
    }

    private sealed class Usage(HashSet<string> inUse) : IArtifactUsage
    {
        public IEnumerable<string> DigestsInUse() => inUse;
    }
}
