using Maas.Core.Errors;

namespace Maas.Server.Http;

/// <summary>HTTP status codes for the error vocabulary (see <see cref="ErrorMapping"/>, which holds the table).</summary>
internal static class ErrorStatus
{
    public static int For(MaasErrorKind kind) => ErrorMapping.HttpStatus(kind);
}
