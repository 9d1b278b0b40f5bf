using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Maas.Server.Security.Tls;

/// <summary>Loads the server certificate named by <see cref="TlsOptions"/>: PEM (certificate and key, the key in the
/// same file or in <see cref="TlsOptions.KeyPath"/>, optionally encrypted) or PKCS#12.</summary>
internal static class TlsCertificates
{
    public static X509Certificate2 Load(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.CertificatePath ?? throw new InvalidOperationException("Maas:Server:Tls:CertificatePath is not set.");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The TLS certificate file '{path}' does not exist.");
        }

        if (options.KeyPath is { Length: > 0 } key && !File.Exists(key))
        {
            throw new InvalidOperationException($"The TLS key file '{key}' does not exist.");
        }

        try
        {
            var certificate = IsPem(path) ? LoadPem(path, options) : X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new InvalidOperationException($"The TLS certificate '{path}' has no private key: give the key with --tls-key (Maas:Server:Tls:KeyPath).");
            }

            return certificate;
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"The TLS certificate '{path}' could not be loaded: {ex.Message}", ex);
        }
    }

    private static X509Certificate2 LoadPem(string path, TlsOptions options)
    {
        var keyPath = options.KeyPath is { Length: > 0 } key ? key : path;
        if (keyPath == path && !File.ReadAllText(path).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The TLS certificate '{path}' holds no private key: give the key with --tls-key (Maas:Server:Tls:KeyPath).");
        }

        return string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, keyPath);
    }

    private static bool IsPem(string path)
    {
        // PEM files may start with comments or "Bag Attributes" before the first armour line.
        var head = new byte[8192];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.ASCII.GetString(head, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
    }
}
