using System.CommandLine;
using System.CommandLine.Parsing;

namespace Maas.Cli.Commands;

/// <summary>The <c>--server</c> option every client command takes.</summary>
/// <remarks>A fresh instance per command: a recursive option on the root would also appear on <c>serve</c>, where it means nothing.</remarks>
internal static class ServerOption
{
    public const string EnvironmentVariable = "MAAS_SERVER";

    public const string DefaultUrl = "http://127.0.0.1:8000";

    public static Option<Uri> Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Option<Uri>("--server")
        {
            Description = $"Base URL of the Maas server [env: {EnvironmentVariable}]",
            HelpName = "URL",
            CustomParser = result => Parse(result, result.Tokens[^1].Value, "--server")!,
            DefaultValueFactory = result =>
            {
                var fromEnvironment = context.GetEnvironmentVariable(EnvironmentVariable);
                return string.IsNullOrWhiteSpace(fromEnvironment)
                    ? new Uri(DefaultUrl)
                    : Parse(result, fromEnvironment, EnvironmentVariable)!;
            },
        };
    }

    // Null after AddError: System.CommandLine reports the error and never hands the value to an action.
    private static Uri? Parse(ArgumentResult result, string text, string source)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"{source}: '{text}' is not an http:// or https:// URL.");
        return null;
    }
}
