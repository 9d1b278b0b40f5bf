namespace Maas.Registry.Artifacts.Encryption;

/// <summary>Encrypts blobs at rest with AES-256-GCM in authenticated chunks (<see cref="AesGcmFormat"/>), with the
/// active storage key; reads with whichever configured key the blob's header names.</summary>
/// <remarks>
/// Blobs stored plain before encryption was turned on stay readable (no header: passed through, still checked against
/// their digest on every load); <c>maas keys rotate-storage</c> encrypts them along with re-encrypting old-key blobs.
/// </remarks>
internal sealed class AesGcmArtifactCodec : IArtifactCodec
{
    private readonly ArtifactKeyRing _keys;
    private readonly int _chunkSize;

    public AesGcmArtifactCodec(ArtifactKeyRing keys, int chunkSize = AesGcmFormat.DefaultChunkSize)
    {
        _keys = keys;
        _chunkSize = chunkSize;
    }

    public bool IsIdentity => false;

    public string? KeyId => _keys.ActiveKeyId;

    public Stream OpenWriter(Stream stored) => new AesGcmWriteStream(stored, _keys.ActiveKeyId, _keys.ActiveKey, _chunkSize);

    public Stream OpenReader(Stream stored) => new AesGcmReadStream(stored, _keys);
}
