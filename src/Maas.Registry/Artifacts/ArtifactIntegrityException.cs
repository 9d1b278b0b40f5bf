namespace Maas.Registry.Artifacts;

/// <summary>A stored blob whose bytes do not hash to its digest (tampered with, or damaged at rest).</summary>
public sealed class ArtifactIntegrityException : Exception
{
    public ArtifactIntegrityException(string sha256, string actualSha256)
        : base($"artifact sha256:{sha256} failed verification: its bytes hash to sha256:{actualSha256}")
    {
        Sha256 = sha256;
        ActualSha256 = actualSha256;
    }

    public ArtifactIntegrityException()
    {
        Sha256 = ActualSha256 = string.Empty;
    }

    public ArtifactIntegrityException(string message)
        : base(message)
    {
        Sha256 = ActualSha256 = string.Empty;
    }

    public ArtifactIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
        Sha256 = ActualSha256 = string.Empty;
    }

    public string Sha256 { get; }

    public string ActualSha256 { get; }
}
