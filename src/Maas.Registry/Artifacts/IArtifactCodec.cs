namespace Maas.Registry.Artifacts;

/// <summary>How a store turns plain artifact bytes into the bytes it keeps at rest, and back (identity, or encryption).</summary>
/// <remarks>
/// Every store (folder, S3) hashes the <em>plain</em> bytes while staging (the digest names the blob whatever the codec),
/// writes them through <see cref="OpenWriter"/> and reads them back through <see cref="OpenReader"/>. A store hands out
/// <see cref="IArtifactStore.LocalPathOf"/> only when <see cref="IsIdentity"/> is true.
/// </remarks>
public interface IArtifactCodec
{
    /// <summary>True when stored bytes are the plain bytes.</summary>
    bool IsIdentity { get; }

    /// <summary>The id of the key new blobs are written with (recorded per blob); null when stored plain.</summary>
    string? KeyId { get; }

    /// <summary>A stream that takes plain bytes and writes their at-rest form to <paramref name="stored"/> (owned, disposed with it).</summary>
    Stream OpenWriter(Stream stored);

    /// <summary>A stream of plain bytes read from the at-rest form in <paramref name="stored"/> (owned, disposed with it).</summary>
    Stream OpenReader(Stream stored);
}
