namespace Maas.Cli.Commands;

/// <summary>Picks the server's configuration settings (<c>--Maas:Key=value</c> or <c>--Maas:Key value</c>) out of the tokens <c>maas serve</c> does not know.</summary>
/// <remarks>
/// Everything under <c>Maas:</c> is configuration of the server (ASP.NET Core's command-line provider reads it), so
/// the CLI does not need a flag per setting. Any other unknown token is still a usage error, so a typo in a real
/// flag is not silently ignored.
/// </remarks>
internal static class ConfigurationArguments
{
    private const string Prefix = "--Maas:";

    /// <summary>The settings, in the form the configuration provider reads; throws <see cref="CliException"/> for anything else.</summary>
    public static string[] Select(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var settings = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || token.Length == Prefix.Length || token[Prefix.Length] is '=' or ':')
            {
                throw new CliException(
                    $"Unrecognized command or argument '{token}'. Server settings go as --Maas:Section:Key=value (e.g. --Maas:Serving:Defaults:IntraOpThreads=2).");
            }

            settings.Add(token);
            if (token.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliException($"{token} needs a value: {token}=VALUE or {token} VALUE.");
            }

            settings.Add(tokens[++i]);
        }

        return [.. settings];
    }
}
