using System.Net;
using System.Net.Sockets;

namespace Maas.Tests.Shared;

/// <summary>Free loopback TCP ports for servers the tests start.</summary>
internal static class FreePorts
{
    /// <summary>A port the system just handed out and released (another process could take it before it is used).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
