using Maas.Core.Models;

namespace Maas.Server.Security;

/// <summary>Model-name patterns of a key: a model name where <c>*</c> matches any run of characters and <c>?</c> one.</summary>
internal static class ModelPattern
{
    public const string Rule = "a model name where '*' matches any characters and '?' one (e.g. 'team-a-*')";

    public static bool IsValid(string? pattern) =>
        !string.IsNullOrEmpty(pattern) && pattern.Length <= 128
        && ModelNames.IsValid(pattern.Replace('*', 'x').Replace('?', 'x'));

    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
