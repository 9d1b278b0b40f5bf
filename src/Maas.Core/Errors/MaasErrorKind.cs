namespace Maas.Core.Errors;

/// <summary>The error vocabulary every layer speaks; protocols map each kind to their own status codes.</summary>
public enum MaasErrorKind
{
    /// <summary>The request is malformed or does not fit the model (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>Model, version, alias or file does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request conflicts with current state, e.g. deleting a version an alias points at (HTTP 409).</summary>
    Conflict,

    /// <summary>A configured size limit was exceeded (HTTP 413).</summary>
    PayloadTooLarge,

    /// <summary>A rate or queue limit was hit; retry later (HTTP 429).</summary>
    TooManyRequests,

    /// <summary>The model exists but is not ready (loading, failed) or the server is overloaded (HTTP 503).</summary>
    Unavailable,

    /// <summary>The request's deadline passed (HTTP 504).</summary>
    DeadlineExceeded,

    /// <summary>A bug or an unexpected failure (HTTP 500).</summary>
    Internal,

    /// <summary>No valid credential was presented where one is required (HTTP 401, gRPC Unauthenticated).</summary>
    Unauthenticated,

    /// <summary>The caller is known but its role may not do this to a model it can see (HTTP 403, gRPC PermissionDenied).</summary>
    PermissionDenied,
}
