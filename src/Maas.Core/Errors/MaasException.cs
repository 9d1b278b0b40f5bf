namespace Maas.Core.Errors;

/// <summary>An error whose message is safe to show to a client and whose kind picks the status code.</summary>
public sealed class MaasException : Exception
{
    public MaasException(MaasErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public MaasErrorKind Kind { get; }

    public static MaasException InvalidArgument(string message) => new(MaasErrorKind.InvalidArgument, message);

    public static MaasException NotFound(string message) => new(MaasErrorKind.NotFound, message);

    public static MaasException Conflict(string message) => new(MaasErrorKind.Conflict, message);

    public static MaasException Unavailable(string message) => new(MaasErrorKind.Unavailable, message);

    public static MaasException Unauthenticated(string message) => new(MaasErrorKind.Unauthenticated, message);

    public static MaasException PermissionDenied(string message) => new(MaasErrorKind.PermissionDenied, message);
}
