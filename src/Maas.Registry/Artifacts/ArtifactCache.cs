using Maas.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts;

/// <summary>
/// The replica-local side of the artifact store: verifies a plain local blob in place, or copies a blob out of the
/// store (decrypting it) into <c>&lt;cache&gt;/sha256/ab/&lt;64-hex&gt;</c> (temporary file, hashed while written,
/// renamed when it matches) and verifies that copy on every later hand-out.
/// </summary>
/// <remarks>
/// <para>Size-bounded: after each new copy, least recently handed-out copies are deleted until the cache fits its
/// capacity, skipping those that loaded or loading versions use (<see cref="IArtifactUsage"/>) and those being fetched
/// or verified right now. When everything left is in use the cache stays over capacity (and says so) rather than
/// pull files from under a model.</para>
/// <para>Concurrent requests for one blob share one fetch (and one verification).</para>
/// </remarks>
internal sealed class ArtifactCache : IArtifactCache
{
    private const int BufferSize = 128 * 1024;
    private const string TempExtension = ".tmp";

    private readonly IArtifactStore _store;
    private readonly string _root;
    private readonly long _capacity;
    private readonly Func<IEnumerable<IArtifactUsage>> _usages;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<string>> _inFlight = new(StringComparer.Ordinal);
    private long _total;
    private long _clock;
    private bool _scanned;

    public ArtifactCache(IArtifactStore store, string cacheDirectory, long capacity, Func<IEnumerable<IArtifactUsage>> usages, ILogger logger)
    {
        _store = store;
        _root = Path.Combine(cacheDirectory, "sha256");
        _capacity = capacity;
        _usages = usages;
        _logger = logger;
    }

    /// <summary>Bytes of cached copies now.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public async Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken = default)
    {
        Sha256Digest.Validate(sha256);
        var local = _store.LocalPathOf(sha256);
        if (local is not null)
        {
            if (!File.Exists(local))
            {
                throw MaasException.NotFound($"artifact '{sha256}' not found");
            }

            await VerifyAsync(local, sha256, cancellationToken).ConfigureAwait(false);
            return local;
        }

        Task<string> task;
        lock (_lock)
        {
            if (!_inFlight.TryGetValue(sha256, out task!))
            {
                // Not tied to the first caller's token: other callers may be waiting on the same fetch.
                task = Task.Run(() => EnsureCopyAsync(sha256), CancellationToken.None);
                _inFlight[sha256] = task;
            }
        }

        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> EnsureCopyAsync(string sha256)
    {
        try
        {
            EnsureScanned();
            var cached = CachedPath(sha256);
            if (File.Exists(cached))
            {
                try
                {
                    await VerifyAsync(cached, sha256, CancellationToken.None).ConfigureAwait(false);
                    Touch(sha256, cached);
                    return cached;
                }
                catch (ArtifactIntegrityException e)
                {
                    // The store's copy may be fine: drop the damaged copy and fetch it again.
                    ArtifactsLog.CachedCopyBad(_logger, sha256, e.Reason);
                    Forget(sha256);
                    File.Delete(cached);
                }
            }

            await FetchAsync(sha256, cached).ConfigureAwait(false);
            Touch(sha256, cached);
            Evict();
            return cached;
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(sha256);
            }
        }
    }

    private async Task FetchAsync(string sha256, string cached)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temp = cached + "." + Guid.NewGuid().ToString("N") + TempExtension;
        try
        {
            string actual;
            var source = await _store.OpenReadAsync(sha256, CancellationToken.None).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                await using (target.ConfigureAwait(false))
                {
                    using var hashing = new HashingStream(source);
                    try
                    {
                        await hashing.CopyToAsync(target, BufferSize, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (InvalidDataException e)
                    {
                        throw ArtifactIntegrityException.Unreadable(sha256, e);
                    }

                    actual = hashing.Digest();
                }
            }

            if (!string.Equals(actual, sha256, StringComparison.Ordinal))
            {
                throw new ArtifactIntegrityException(sha256, actual);
            }

            File.Move(temp, cached, overwrite: true);
        }
        catch (ArtifactIntegrityException e)
        {
            ArtifactsLog.VerificationFailed(_logger, sha256, e.Reason);
            throw;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private void Touch(string sha256, string path)
    {
        var size = new FileInfo(path).Length;
        lock (_lock)
        {
            if (_entries.TryGetValue(sha256, out var entry))
            {
                _total -= entry.Size;
            }

            _entries[sha256] = new Entry(size, ++_clock);
            _total += size;
        }

        try
        {
            // Keeps the order across restarts (the start-up scan orders by this time).
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Forget(string sha256)
    {
        lock (_lock)
        {
            if (_entries.Remove(sha256, out var entry))
            {
                _total -= entry.Size;
            }
        }
    }

    /// <summary>Deletes least recently used copies that nothing uses until the cache fits.</summary>
    private void Evict()
    {
        lock (_lock)
        {
            if (_total <= _capacity)
            {
                return;
            }

            var inUse = new HashSet<string>(_inFlight.Keys, StringComparer.Ordinal);
            foreach (var usage in _usages())
            {
                inUse.UnionWith(usage.DigestsInUse());
            }

            foreach (var (sha256, entry) in _entries.OrderBy(e => e.Value.LastUse).ToList())
            {
                if (_total <= _capacity)
                {
                    break;
                }

                if (inUse.Contains(sha256))
                {
                    continue;
                }

                try
                {
                    File.Delete(CachedPath(sha256));
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }

                _entries.Remove(sha256);
                _total -= entry.Size;
                ArtifactsLog.Evicted(_logger, sha256, entry.Size, _total, _capacity);
            }

            if (_total > _capacity)
            {
                ArtifactsLog.OverCapacity(_logger, _total, _capacity);
            }
        }
    }

    /// <summary>Learns what an earlier run left in the cache folder (oldest first) and removes its unfinished copies.</summary>
    private void EnsureScanned()
    {
        lock (_lock)
        {
            if (_scanned)
            {
                return;
            }

            _scanned = true;
            if (!Directory.Exists(_root))
            {
                return;
            }

            var found = new List<(string Sha256, long Size, DateTime At)>();
            foreach (var path in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(path);
                if (name.EndsWith(TempExtension, StringComparison.Ordinal))
                {
                    File.Delete(path);
                }
                else if (Sha256Digest.IsValid(name) && string.Equals(path, CachedPath(name), StringComparison.Ordinal))
                {
                    var info = new FileInfo(path);
                    found.Add((name, info.Length, info.LastWriteTimeUtc));
                }
            }

            foreach (var (sha256, size, _) in found.OrderBy(f => f.At))
            {
                _entries[sha256] = new Entry(size, ++_clock);
                _total += size;
            }
        }
    }

    private string CachedPath(string sha256) => Path.Combine(_root, sha256[..2], sha256);

    private static async Task VerifyAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        string actual;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            actual = await Sha256Digest.HashAsync(file, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(sha256, actual);
        }
    }

    private sealed record Entry(long Size, long LastUse);
}
