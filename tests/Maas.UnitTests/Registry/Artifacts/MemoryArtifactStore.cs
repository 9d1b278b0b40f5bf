using System.Collections.Concurrent;
using System.Security.Cryptography;
using Maas.Core.Errors;
using Maas.Registry.Artifacts;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>A store without local files (like a bucket): blobs in memory, reads counted, optionally held at a gate.</summary>
internal sealed class MemoryArtifactStore : IArtifactStore
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    public string Name => "memory";

    public string Location => "memory";

    /// <summary>When set, reads wait for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public string Add(byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        _blobs[sha] = content;
        return sha;
    }

    /// <summary>Replaces a blob's bytes without changing its digest (damage at rest).</summary>
    public void Corrupt(string sha256, byte[] content) => _blobs[sha256] = content;

    public int Reads(string sha256) => _reads.GetValueOrDefault(sha256);

    public async Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        _reads.AddOrUpdate(sha256, 1, (_, n) => n + 1);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return _blobs.TryGetValue(sha256, out var bytes) ? new MemoryStream(bytes, writable: false) : throw MaasException.NotFound($"artifact '{sha256}' not found");
    }

    public string? LocalPathOf(string sha256) => null;

    public Task<StagedArtifact> StageAsync(Stream content, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<bool> CommitAsync(StagedArtifact staged, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DiscardAsync(StagedArtifact staged, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default) => Task.FromResult(_blobs.ContainsKey(sha256));

    public Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken = default) => Task.FromResult(_blobs.TryRemove(sha256, out _));

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<string>>([.. _blobs.Keys]);

    public Task<int> ClearStagingAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);
}
