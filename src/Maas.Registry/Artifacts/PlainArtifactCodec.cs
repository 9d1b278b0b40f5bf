namespace Maas.Registry.Artifacts;

/// <summary>Stores artifacts as they are (the default).</summary>
internal sealed class PlainArtifactCodec : IArtifactCodec
{
    public bool IsIdentity => true;

    public string? KeyId => null;

    public Stream OpenWriter(Stream stored) => stored;

    public Stream OpenReader(Stream stored) => stored;
}
