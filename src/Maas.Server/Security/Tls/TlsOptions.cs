namespace Maas.Server.Security.Tls;

/// <summary>The server's certificate, bound from <c>Maas:Server:Tls</c> (<c>maas serve --tls-cert --tls-key</c> win).</summary>
/// <remarks>With a certificate both the REST port (HTTP/1.1 and HTTP/2) and the gRPC port speak TLS only; without
/// one, both are plain text, as they always were.</remarks>
public sealed class TlsOptions
{
    /// <summary>A PEM certificate (chain), or a PKCS#12 (.pfx/.p12) file holding certificate and key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key when <see cref="CertificatePath"/> is a PEM certificate without one.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of an encrypted PEM key or of the PKCS#12 file (from configuration or the environment, never a flag).</summary>
    public string? Password { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
