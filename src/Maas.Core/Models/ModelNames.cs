namespace Maas.Core.Models;

/// <summary>The rule for model and alias names: they appear in URLs, paths and <c>name@alias</c> references.</summary>
public static class ModelNames
{
    public const string Rule = "1 to 128 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit.";

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
