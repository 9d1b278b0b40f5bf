using System.Net;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security;

/// <summary>The effective authentication mode: <see cref="AuthOptions.Mode"/> resolved against where the server listens.</summary>
internal sealed class AuthState(IOptions<AuthOptions> auth, IOptions<MaasServerOptions> server)
{
    /// <summary>No authentication at all (<c>--auth none</c>).</summary>
    public bool Disabled => auth.Value.Mode == AuthMode.None;

    /// <summary>A request without credentials is refused (401); otherwise it acts as the anonymous admin.</summary>
    /// <remarks>Auto requires credentials as soon as any listener (REST or gRPC; both bind the same host) is not loopback.</remarks>
    public bool CredentialsRequired => auth.Value.Mode switch
    {
        AuthMode.Required => true,
        AuthMode.None => false,
        _ => !IsLoopback(server.Value.Host),
    };

    /// <summary>Whether bearer JWTs are validated (<c>Maas:Auth:Jwt</c>).</summary>
    public bool JwtEnabled => auth.Value.Jwt.Enabled;

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
