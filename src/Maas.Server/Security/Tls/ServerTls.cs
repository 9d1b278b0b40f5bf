using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Maas.Server.Security.Tls;

/// <summary>Picks the server certificate: the CLI's <c>--tls-cert</c>/<c>--tls-key</c> over <c>Maas:Server:Tls</c>.</summary>
internal static class ServerTls
{
    /// <summary>The certificate both ports serve, or null for plain text.</summary>
    public static X509Certificate2? LoadCertificate(IConfigurationSection section, MaasServerOptions options)
    {
        var tls = section.Get<TlsOptions>() ?? new TlsOptions();
        if (options.TlsCertificatePath is { Length: > 0 } cert)
        {
            tls.CertificatePath = cert;
            tls.KeyPath = options.TlsKeyPath ?? tls.KeyPath;
        }
        else if (options.TlsKeyPath is { Length: > 0 })
        {
            throw new InvalidOperationException("--tls-key needs --tls-cert.");
        }

        options.TlsCertificatePath = tls.CertificatePath;
        return tls.IsEnabled ? TlsCertificates.Load(tls) : null;
    }
}
