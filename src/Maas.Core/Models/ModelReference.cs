using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Maas.Core.Errors;

namespace Maas.Core.Models;

/// <summary>A request's way of naming a model: <c>name</c>, <c>name@alias</c> or <c>name:version</c>.</summary>
/// <remarks>Without a version or an alias the <c>production</c> alias is used if set, else the latest version.</remarks>
public sealed record ModelReference(string Name, string? Alias = null, int? Version = null)
{
    public const string DefaultAlias = "production";

    /// <summary>Parses <c>name</c>, <c>name@alias</c> or <c>name:version</c>, plus an optional explicit version from a URL.</summary>
    public static ModelReference Parse(string text, string? explicitVersion = null)
    {
        if (!TryParse(text, explicitVersion, out var reference, out var error))
        {
            throw MaasException.InvalidArgument(error);
        }

        return reference;
    }

    public static bool TryParse(
        string text,
        string? explicitVersion,
        [NotNullWhen(true)] out ModelReference? reference,
        [NotNullWhen(false)] out string? error)
    {
        reference = null;
        string name = text;
        string? alias = null;
        int? version = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var colon = text.LastIndexOf(':');
        if (at >= 0)
        {
            name = text[..at];
            alias = text[(at + 1)..];
            if (alias.Length == 0)
            {
                error = $"Model reference '{text}' has an empty alias.";
                return false;
            }
        }
        else if (colon >= 0)
        {
            name = text[..colon];
            if (!TryParseVersion(text[(colon + 1)..], out var v))
            {
                error = $"Model reference '{text}' has an invalid version; versions are positive integers.";
                return false;
            }

            version = v;
        }

        if (explicitVersion is not null)
        {
            if (alias is not null || version is not null)
            {
                error = $"Model reference '{text}' names an alias or version and the URL names version '{explicitVersion}' too.";
                return false;
            }

            if (!TryParseVersion(explicitVersion, out var v))
            {
                error = $"Version '{explicitVersion}' is not valid; versions are positive integers.";
                return false;
            }

            version = v;
        }

        if (!ModelNames.IsValid(name))
        {
            error = $"Model name '{name}' is not valid: {ModelNames.Rule}";
            return false;
        }

        reference = new ModelReference(name, alias, version);
        error = null;
        return true;
    }

    private static bool TryParseVersion(string text, out int version) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;

    public override string ToString() =>
        Version is { } v ? $"{Name}:{v}" : Alias is { } a ? $"{Name}@{a}" : Name;
}
