using System.Security.Cryptography;

namespace Maas.Jobs;

/// <summary>Short ids that sort by creation time: 10 base-32 digits of Unix milliseconds, then 4 random ones.</summary>
internal static class JobIds
{
    // Crockford's alphabet without I, L, O, U: nothing to misread when typed from a terminal.
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string New(TimeProvider timeProvider)
    {
        Span<char> id = stackalloc char[14];
        var millis = (ulong)Math.Max(0, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        for (var i = 9; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(millis & 31)];
            millis >>= 5;
        }

        for (var i = 10; i < id.Length; i++)
        {
            id[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(id);
    }

    /// <summary>Whether <paramref name="id"/> could be a job id (cheap check before a database look-up).</summary>
    public static bool IsPlausible(string? id) => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
