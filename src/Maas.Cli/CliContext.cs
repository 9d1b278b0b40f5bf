using Maas.Server;
using Spectre.Console;

namespace Maas.Cli;

/// <summary>Everything a command touches outside itself: consoles, HTTP, environment and the server host.</summary>
/// <remarks>Commands take this instead of reaching for statics, so tests swap each piece for a recording fake.</remarks>
internal sealed class CliContext
{
    private static readonly Lazy<HttpClient> SharedHttpClient = new(CreateHttpClient);

    /// <summary>Normal output: tables, results, JSON.</summary>
    public required IAnsiConsole Out { get; init; }

    /// <summary>Errors and diagnostics, kept off <see cref="Out"/> so output stays pipeable.</summary>
    public required IAnsiConsole Error { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    public Func<HttpClient> HttpClient { get; init; } = () => SharedHttpClient.Value;

    /// <summary>Runs the server with the CLI's flags and its configuration arguments (<c>--Maas:Key=value</c>).</summary>
    public Func<MaasServerOptions, string[], CancellationToken, Task> RunServer { get; init; } = MaasServer.RunAsync;

    /// <summary>The context of a real process: stdout/stderr consoles with capabilities detected from the terminal.</summary>
    public static CliContext ForProcess() => new()
    {
        Out = AnsiConsole.Console,
        Error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }),
    };

    private static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };

        // No overall timeout: pushing a multi-gigabyte model legitimately takes long; Ctrl+C cancels instead.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
