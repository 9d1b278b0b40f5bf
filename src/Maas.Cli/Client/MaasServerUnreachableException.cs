namespace Maas.Cli.Client;

/// <summary>No connection could be made to the server (refused, unknown host, timed out connecting).</summary>
internal sealed class MaasServerUnreachableException : Exception
{
    public MaasServerUnreachableException(Uri server, Exception innerException)
        : base($"cannot reach the Maas server at {server.OriginalString}", innerException)
    {
        Server = server;
    }

    public Uri Server { get; }
}
