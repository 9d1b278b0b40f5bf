using Maas.Cli;
using Maas.Cli.Commands;
using Spectre.Console;

namespace Maas.EndToEnd.Tests.Cli;

/// <summary>Runs <c>maas</c> command lines in-process against a real server, capturing stdout and stderr per run.</summary>
internal sealed class CliRunner(Uri server) : IDisposable
{
    private readonly HttpClient _http = new();

    /// <summary>Environment variables the commands see (e.g. <c>MAAS_API_KEY</c>); none by default.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    private ObservedWriter _error = new();

    /// <summary>Completes once the running (or last) command has written <paramref name="text"/> to stderr.</summary>
    public Task WaitForErrorAsync(string text) => Volatile.Read(ref _error).WaitForAsync(text);

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>Runs a command line; cancelling <paramref name="cancellationToken"/> is what Ctrl+C does.</summary>
    public async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new ObservedWriter();
        Volatile.Write(ref _error, error);
        var context = new CliContext
        {
            Out = CreateConsole(output),
            Error = CreateConsole(error),
            GetEnvironmentVariable = name => Environment.TryGetValue(name, out var value) ? value : null,
            HttpClient = () => _http,
        };
        var withServer = args.Length > 0 && args[0] is "models" or "predict" or "audit" or "jobs" or "quantize" or "keys" ? [.. args, "--server", server.ToString()] : args;
        var exitCode = await CliInvoker.InvokeAsync(MaasRootCommand.Create(context), withServer, context, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose() => _http.Dispose();

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        // Wide enough that tables and messages never wrap mid-word in assertions.
        console.Profile.Width = 300;
        return console;
    }
}

/// <summary>Exit code and captured output of one command line.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
