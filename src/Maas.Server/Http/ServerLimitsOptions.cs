namespace Maas.Server.Http;

/// <summary>Request limits, bound from <c>Maas:Limits</c>. Every limit is explicit; exceeding one is a 4xx, never a crash.</summary>
public sealed class ServerLimitsOptions
{
    /// <summary>Largest body of an inference request (<c>/v2</c>, <c>/models</c>, <c>/v1</c>): 16 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest upload through the admin API (<c>/api</c>): 8 GiB.</summary>
    public long MaxUploadBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Most elements in one request tensor.</summary>
    public int MaxTensorElements { get; set; } = 16 * 1024 * 1024;
}
