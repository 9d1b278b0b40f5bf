namespace Maas.Server.Security;

/// <summary>Authentication settings, bound from <c>Maas:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>auto (default), required or none; see <see cref="AuthMode"/>.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Auto;

    /// <summary>How long a verified key is trusted without reading the database again. Revocation through this
    /// server's API takes effect at once; another replica's revocation within this time.</summary>
    public double KeyCacheSeconds { get; set; } = 2;

    /// <summary>At most one audit record of authentication failures per remote address in this many seconds; the
    /// next record counts the failures left out.</summary>
    public double FailureAuditIntervalSeconds { get; set; } = 60;

    /// <summary>Optional JWT bearer validation (<c>Maas:Auth:Jwt</c>).</summary>
    public JwtAuthOptions Jwt { get; set; } = new();
}
