using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>A self-signed server certificate for 127.0.0.1 and localhost, made by the test, written as PEM (certificate
/// and key apart) and as PKCS#12.</summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate, string folder)
    {
        Certificate = certificate;
        Folder = folder;
        CertificatePem = Path.Combine(folder, "server.crt");
        KeyPem = Path.Combine(folder, "server.key");
        Pfx = Path.Combine(folder, "server.pfx");
        File.WriteAllText(CertificatePem, certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(KeyPem, key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllBytes(Pfx, certificate.Export(X509ContentType.Pkcs12, PfxPassword));
    }

    public const string PfxPassword = "test-pfx-password";

    public X509Certificate2 Certificate { get; }

    public string Folder { get; }

    public string CertificatePem { get; }

    public string KeyPem { get; }

    public string Pfx { get; }

    public static TestCertificate Create(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=maas-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificate(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)), folder);
    }

    /// <summary>A handler that trusts exactly this certificate (as a client with it pinned would).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString(),
        },
    };

    public void Dispose() => Certificate.Dispose();
}
