using System.Net;

namespace Maas.Cli.Client;

/// <summary>The server answered with an error status; <see cref="Exception.Message"/> is the server's own explanation.</summary>
internal sealed class MaasApiException : Exception
{
    public MaasApiException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode StatusCode { get; }
}
