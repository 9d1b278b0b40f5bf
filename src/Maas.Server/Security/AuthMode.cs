namespace Maas.Server.Security;

/// <summary>When the server asks for credentials (<c>Maas:Auth:Mode</c>, <c>maas serve --auth</c>).</summary>
public enum AuthMode
{
    /// <summary>Required when any listener is not loopback; on loopback a request without credentials acts as admin.</summary>
    Auto,

    /// <summary>Every request (except health and readiness) needs a valid key or token.</summary>
    Required,

    /// <summary>No authentication at all: every caller is admin. For local development only; logged as a warning.</summary>
    None,
}
