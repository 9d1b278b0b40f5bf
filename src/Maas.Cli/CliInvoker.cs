using System.CommandLine;

namespace Maas.Cli;

/// <summary>Parses and runs a command line, mapping parse errors to <see cref="ExitCodes.Usage"/>.</summary>
internal static class CliInvoker
{
    /// <summary>How long Ctrl+C waits for a command (the server draining) before the process gives up on it.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(context);
        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error.Profile.Out.Writer,
            ProcessTerminationTimeout = ShutdownGrace,
        };

        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);

        // System.CommandLine reports parse errors as 1, the same as a failed command; scripts need to tell them apart.
        return parseResult.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
