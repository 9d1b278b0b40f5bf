using Maas.Core.Errors;

namespace Maas.Registry.Artifacts;

/// <summary>The one accepted spelling of a digest: 64 lower-case hex characters, so it is also a safe file name.</summary>
internal static class Sha256Digest
{
    public const int Length = 64;

    public static bool IsValid(string? digest)
    {
        if (digest is null || digest.Length != Length)
        {
            return false;
        }

        foreach (var c in digest)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public static string Validate(string? digest) =>
        IsValid(digest)
            ? digest!
            : throw MaasException.InvalidArgument($"'{digest}' is not a SHA-256 digest; expected 64 lower-case hex characters.");
}
