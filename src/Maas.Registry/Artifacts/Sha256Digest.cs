using System.Buffers;
using System.Security.Cryptography;
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

    /// <summary>Lower-case hex SHA-256 of everything left in <paramref name="stream"/>.</summary>
    public static async Task<string> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        const int BufferSize = 128 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
