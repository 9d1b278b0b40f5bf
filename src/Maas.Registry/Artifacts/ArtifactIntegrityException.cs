namespace Maas.Registry.Artifacts;

/// <summary>A stored blob whose bytes do not hash to its digest or cannot be decrypted (tampered with, damaged at rest,
/// or encrypted with a key that is not configured).</summary>
/// <remarks><see cref="Reason"/> names no path, so callers can put it in front of a file name and show it to clients.</remarks>
public sealed class ArtifactIntegrityException : Exception
{
    public ArtifactIntegrityException(string sha256, string actualSha256)
        : this(sha256, actualSha256, $"failed verification: its bytes hash to sha256:{actualSha256}, not the recorded sha256:{sha256}", null)
    {
    }

    public ArtifactIntegrityException()
    {
        Sha256 = ActualSha256 = Reason = string.Empty;
    }

    public ArtifactIntegrityException(string message)
        : base(message)
    {
        Sha256 = ActualSha256 = string.Empty;
        Reason = message;
    }

    public ArtifactIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
        Sha256 = ActualSha256 = string.Empty;
        Reason = message;
    }

    private ArtifactIntegrityException(string sha256, string actualSha256, string reason, Exception? innerException)
        : base($"artifact sha256:{sha256} {reason}", innerException)
    {
        Sha256 = sha256;
        ActualSha256 = actualSha256;
        Reason = reason;
    }

    public string Sha256 { get; }

    /// <summary>What the bytes hash to; empty when they could not be read back at all.</summary>
    public string ActualSha256 { get; }

    /// <summary>Why, without the digest's prefix: "failed verification: ...".</summary>
    public string Reason { get; }

    /// <summary>The stored form could not be decoded (authentication failed, cut short, unknown key).</summary>
    internal static ArtifactIntegrityException Unreadable(string sha256, Exception cause) =>
        new(sha256, string.Empty, $"failed verification: {cause.Message}", cause);
}
