using System.Text;
using Maas.Core.Errors;
using Maas.Registry.Artifacts;
using Maas.Registry.Artifacts.Encryption;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>The folder store with AES-256-GCM at rest, through the registry: pushes, loads, key rotation.</summary>
/// <remarks>
/// Folder-only on purpose: key rotation rewrites blobs in place through <see cref="IArtifactReplacer"/>, which only the
/// folder store implements (S3 has no rotation yet). Sealing at rest, reading plain and refusing a tampered blob run on
/// both stores in <see cref="ArtifactStoreContractTests"/>.
/// </remarks>
public sealed class EncryptedStoreTests : IDisposable
{
    private static readonly byte[] KeyOne = AesGcmCodecTests.NewKey();
    private static readonly byte[] KeyTwo = AesGcmCodecTests.NewKey();
    private readonly string _data = RegistryTestHost.NewDataDirectory();

    public void Dispose() => RegistryTestHost.DeleteDirectory(_data);

    [Fact]
    public async Task PushAsync_EncryptionOn_StoredEncryptedLoadedPlainKeyRecorded()
    {
        await using var host = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        const string content = "secret weights that must not be readable at rest";

        var version = await host.PushAsync("m", content);

        var sha = version.Files[0].Sha256;
        var stored = await File.ReadAllBytesAsync(host.BlobPath(sha));
        Assert.True(stored.AsSpan().StartsWith(AesGcmFormat.Magic));
        Assert.DoesNotContain("secret weights", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Null(host.Registry.Store.LocalPathOf(sha));
        var path = await host.Registry.GetArtifactPathAsync(sha);
        Assert.Equal(host.CachePath(sha), path);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
        Assert.Equal("one", (await host.BlobKeysAsync())[sha]);
    }

    [Fact]
    public async Task GetArtifactPathAsync_StoredChunkTampered_RefusedAsFailedVerification()
    {
        await using var host = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        var sha = (await host.PushAsync("m", "weights")).Files[0].Sha256;
        File.Delete(host.CachePath(sha));
        host.Tamper(sha, AesGcmFormat.FixedHeaderSize + 5);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => host.Registry.GetArtifactPathAsync(sha));

        Assert.StartsWith("failed verification: chunk 0", error.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(host.CachePath(sha)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "cache"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task GetArtifactPathAsync_CachedCopyTampered_FetchedAgainFromTheStore()
    {
        await using var host = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        var sha = (await host.PushAsync("m", "weights")).Files[0].Sha256;
        await File.WriteAllTextAsync(host.CachePath(sha), "weightz");

        var path = await host.Registry.GetArtifactPathAsync(sha);

        Assert.Equal("weights", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task RotateAsync_NewActiveKey_EveryBlobReEncryptedAndOldKeyNoLongerNeeded()
    {
        string[] digests;
        await using (var first = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne))))
        {
            digests = [(await first.PushAsync("a", "alpha")).Files[0].Sha256, (await first.PushAsync("b", "beta")).Files[0].Sha256];
        }

        StorageRotationResult result;
        var progress = new List<StorageRotationProgress>();
        await using (var both = new ArtifactTestHost(_data, ArtifactTestHost.Keys("two", ("one", KeyOne), ("two", KeyTwo))))
        {
            var third = (await both.PushAsync("c", "gamma")).Files[0].Sha256;
            digests = [.. digests, third];
            result = await both.Rotation.RotateAsync(new SyncProgress(progress));
            Assert.All(digests, d => Assert.Equal("two", both.BlobKeysAsync().Result[d]));
            var usage = await both.Rotation.GetKeyUsageAsync();
            Assert.Equal("two", usage.ActiveKeyId);
            Assert.Equal(3, usage.BlobsByKey["two"]);
            Assert.False(usage.BlobsByKey.ContainsKey("one"));
        }

        Assert.Equal(new StorageRotationResult("two", 3, 2, 1, 0), result);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => new StorageRotationProgress(i, 3)), progress);

        // Old key removed: everything still loads (from scratch, not from cached copies).
        Directory.Delete(Path.Combine(_data, "cache"), recursive: true);
        await using var onlyTwo = new ArtifactTestHost(_data, ArtifactTestHost.Keys("two", ("two", KeyTwo)));
        var contents = new List<string>();
        foreach (var digest in digests)
        {
            contents.Add(await File.ReadAllTextAsync(await onlyTwo.Registry.GetArtifactPathAsync(digest)));
        }

        Assert.Equal(["alpha", "beta", "gamma"], contents);
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "artifacts", "tmp")));
    }

    [Fact]
    public async Task GetArtifactPathAsync_OldKeyRemovedBeforeRotation_RefusedNamingTheKey()
    {
        string sha;
        await using (var first = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne))))
        {
            sha = (await first.PushAsync("a", "alpha")).Files[0].Sha256;
        }

        Directory.Delete(Path.Combine(_data, "cache"), recursive: true);
        await using var onlyTwo = new ArtifactTestHost(_data, ArtifactTestHost.Keys("two", ("two", KeyTwo)));

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => onlyTwo.Registry.GetArtifactPathAsync(sha));

        Assert.Contains("storage key 'one', which is not configured", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainStoreThenEncryptionOn_OldBlobsReadableThenEncryptedByRotation()
    {
        string sha;
        await using (var plain = new ArtifactTestHost(_data))
        {
            sha = (await plain.PushAsync("a", "plain weights")).Files[0].Sha256;
            Assert.Null((await plain.BlobKeysAsync())[sha]);
            Assert.Throws<MaasException>(plain.Rotation.EnsureAvailable);
        }

        await using var encrypted = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        Assert.Equal("plain weights", await File.ReadAllTextAsync(await encrypted.Registry.GetArtifactPathAsync(sha)));
        Assert.Equal(1, (await encrypted.Rotation.GetKeyUsageAsync()).BlobsByKey[string.Empty]);

        var result = await encrypted.Rotation.RotateAsync();

        Assert.Equal(1, result.Rewritten);
        Assert.True((await File.ReadAllBytesAsync(encrypted.BlobPath(sha))).AsSpan().StartsWith(AesGcmFormat.Magic));
        Assert.Equal("one", (await encrypted.BlobKeysAsync())[sha]);
        File.Delete(encrypted.CachePath(sha));
        Assert.Equal("plain weights", await File.ReadAllTextAsync(await encrypted.Registry.GetArtifactPathAsync(sha)));
    }

    [Fact]
    public async Task RotateAsync_OneBlobTampered_OthersRotatedTamperedOneLeftAsItWasAndNamed()
    {
        string good, bad;
        await using (var first = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne))))
        {
            good = (await first.PushAsync("a", "alpha")).Files[0].Sha256;
            bad = (await first.PushAsync("b", "beta")).Files[0].Sha256;
            first.Tamper(bad, AesGcmFormat.FixedHeaderSize + 4);
        }

        var before = await File.ReadAllBytesAsync(Path.Combine(_data, "artifacts", "sha256", bad[..2], bad));
        await using var both = new ArtifactTestHost(_data, ArtifactTestHost.Keys("two", ("one", KeyOne), ("two", KeyTwo)));

        var error = await Assert.ThrowsAsync<MaasException>(() => both.Rotation.RotateAsync());

        Assert.Contains($"1 of 2 blob(s) could not be re-encrypted", error.Message, StringComparison.Ordinal);
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(both.BlobPath(bad)));
        Assert.Equal("two", (await both.BlobKeysAsync())[good]);
        Assert.Equal("one", (await both.BlobKeysAsync())[bad]);
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "artifacts", "tmp")));
    }

    [Fact]
    public async Task RotateAsync_StoppedHalfway_EveryBlobStillReadableAndRerunFinishes()
    {
        string[] digests;
        await using (var first = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne))))
        {
            digests = [(await first.PushAsync("a", "alpha")).Files[0].Sha256, (await first.PushAsync("b", "beta")).Files[0].Sha256];
        }

        var both = ArtifactTestHost.Keys("two", ("one", KeyOne), ("two", KeyTwo));
        await using (var stopped = new ArtifactTestHost(_data, both))
        {
            using var stop = new CancellationTokenSource();
            var progress = new SyncProgress([], p => { if (p.Done == 1) { stop.Cancel(); } });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.Rotation.RotateAsync(progress, stop.Token));
            var keys = await stopped.BlobKeysAsync();
            Assert.Equal(["one", "two"], digests.Select(d => keys[d]).Order(StringComparer.Ordinal));
        }

        Directory.Delete(Path.Combine(_data, "cache"), recursive: true);
        await using var rerun = new ArtifactTestHost(_data, both);
        Assert.Equal(["alpha", "beta"], [await ReadAsync(rerun, digests[0]), await ReadAsync(rerun, digests[1])]);

        var result = await rerun.Rotation.RotateAsync();

        Assert.Equal((1, 1), (result.Rewritten, result.AlreadyCurrent));
        Assert.All(digests, d => Assert.Equal("two", rerun.BlobKeysAsync().Result[d]));
    }

    private static async Task<string> ReadAsync(ArtifactTestHost host, string sha) =>
        await File.ReadAllTextAsync(await host.Registry.GetArtifactPathAsync(sha));

    [Fact]
    public async Task GetKeyUsageAsync_VersionDeleted_ItsBlobNoLongerCountedAndPrunedByRotation()
    {
        await using var host = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        var gone = (await host.PushAsync("a", "alpha")).Files[0].Sha256;
        await host.PushAsync("b", "beta");

        await host.Registry.DeleteVersionAsync("a", 1, force: false, actor: "tester");

        Assert.Equal(1, (await host.Rotation.GetKeyUsageAsync()).BlobsByKey["one"]);
        await host.Rotation.RotateAsync();
        Assert.False((await host.BlobKeysAsync()).ContainsKey(gone));
    }

    [Fact]
    public async Task ReplaceAsync_StagedCopyOfOtherBytes_RefusedStoredBlobKept()
    {
        await using var host = new ArtifactTestHost(_data, ArtifactTestHost.Keys("one", ("one", KeyOne)));
        var sha = (await host.PushAsync("a", "alpha")).Files[0].Sha256;
        var before = await File.ReadAllBytesAsync(host.BlobPath(sha));
        var staged = await host.Registry.Store.StageAsync(new MemoryStream(Encoding.UTF8.GetBytes("omega")));

        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => ((IArtifactReplacer)host.Registry.Store).ReplaceAsync(staged with { Sha256 = sha }));

        Assert.Equal(before, await File.ReadAllBytesAsync(host.BlobPath(sha)));
    }

    /// <summary>Records reports on the reporting thread, in order (Progress&lt;T&gt; would post them).</summary>
    private sealed class SyncProgress(List<StorageRotationProgress> list, Action<StorageRotationProgress>? then = null) : IProgress<StorageRotationProgress>
    {
        public void Report(StorageRotationProgress value)
        {
            list.Add(value);
            then?.Invoke(value);
        }
    }
}
