using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Maas.Server.Security;

/// <summary>The API key format <c>maas_&lt;id&gt;_&lt;secret&gt;</c> and its salted hash.</summary>
/// <remarks>
/// The id (16 hex characters) finds the stored record; the secret is 32 random bytes (base64url). Only
/// HMAC-SHA256(salt, secret) is stored. A slow password hash (PBKDF2, Argon2) would add milliseconds to every request
/// and buys nothing here: the secret has 256 bits of entropy, so there is no dictionary to slow down.
/// </remarks>
internal static class ApiKeySecret
{
    public const string Prefix = "maas_";
    private const int IdBytes = 8;
    private const int SecretBytes = 32;
    private const int SaltBytes = 16;

    /// <summary>A new key: its id, the full text to hand out once, and the salt and hash to store.</summary>
    public static (string Id, string FullKey, string Salt, string Hash) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (id, $"{Prefix}{id}_{secret}", Convert.ToBase64String(salt), Convert.ToBase64String(Hash(salt, secret)));
    }

    /// <summary>The first characters of a key, enough to recognise it in a list, never enough to use it.</summary>
    public static string DisplayPrefix(string id) => $"{Prefix}{id}_…";

    /// <summary>Splits a presented key; false when it is not in the Maas format.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = secret = null;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 256)
        {
            return false;
        }

        var rest = key.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator != IdBytes * 2 || !IsHex(rest[..separator]) || rest.Length - separator - 1 < 16)
        {
            return false;
        }

        id = rest[..separator].ToString();
        secret = rest[(separator + 1)..].ToString();
        return true;
    }

    /// <summary>Whether <paramref name="secret"/> hashes to the stored hash, in time independent of where they differ.</summary>
    public static bool Verify(string secret, string storedSalt, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(storedSalt);
            expected = Convert.FromBase64String(storedHash);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(salt, secret), expected);
    }

    private static byte[] Hash(byte[] salt, string secret) => HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(secret));

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
