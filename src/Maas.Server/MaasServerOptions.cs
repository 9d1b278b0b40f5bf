namespace Maas.Server;

/// <summary>Where and how the server runs; bound from the <c>Maas</c> configuration section and the CLI.</summary>
public sealed class MaasServerOptions
{
    /// <summary>Folder for the embedded SQLite database and the artifact store.</summary>
    public string DataDirectory { get; set; } = "./maas-data";

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>HTTP port; 0 picks a free one (tests).</summary>
    public int HttpPort { get; set; } = 8000;

    /// <summary>gRPC port (HTTP/2 only); 0 turns gRPC off. Null: <c>Maas:Server:GrpcPort</c>, else
    /// <see cref="DefaultGrpcPort"/>.</summary>
    public int? GrpcPort { get; set; }

    /// <summary>The Open Inference Protocol's customary gRPC port.</summary>
    public const int DefaultGrpcPort = 8001;

    /// <summary>Register the sample model on a first start with an empty registry.</summary>
    public bool RegisterSamples { get; set; } = true;

    /// <summary>TLS certificate (PEM or PKCS#12) for both ports; null: <c>Maas:Server:Tls:CertificatePath</c>, else plain text.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertificatePath"/>; null: <c>Maas:Server:Tls:KeyPath</c> or the key inside the certificate file.</summary>
    public string? TlsKeyPath { get; set; }
}
