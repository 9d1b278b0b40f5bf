using System.Net;
using System.Net.Sockets;
using Maas.Cli;
using Maas.Cli.Commands;
using Maas.Server;
using Spectre.Console;

namespace Maas.UnitTests.Cli;

/// <summary>Runs <c>maas</c> command lines in-process with captured stdout/stderr and fake environment and server host.</summary>
internal sealed class CliHarness : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly HttpClient _http = new();

    /// <param name="interactive">Whether stdout behaves as a terminal (live progress).</param>
    /// <param name="width">Columns of stdout; the default is wide enough that nothing wraps in assertions.</param>
    public CliHarness(bool interactive = false, int width = 240)
    {
        Context = new CliContext
        {
            Out = CreateConsole(_out, interactive, width),
            Error = CreateConsole(_error, interactive: false, width),
            GetEnvironmentVariable = name => Environment.TryGetValue(name, out var value) ? value : null,
            HttpClient = () => _http,
            RunServer = (options, settings, cancellationToken) =>
            {
                ServedSettings.Add(settings);
                return RunServer(options, cancellationToken);
            },
        };
        RunServer = (options, _) =>
        {
            ServedOptions.Add(options);
            return Task.CompletedTask;
        };
    }

    public CliContext Context { get; }

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>What <c>maas serve</c> runs instead of the real server; records the options by default.</summary>
    public Func<MaasServerOptions, CancellationToken, Task> RunServer { get; set; } = (_, _) => Task.CompletedTask;

    public List<MaasServerOptions> ServedOptions { get; } = [];

    /// <summary>The configuration arguments (<c>--Maas:Key=value</c>) each <c>maas serve</c> passed to the server.</summary>
    public List<string[]> ServedSettings { get; } = [];

    public string Output => _out.ToString();

    public string ErrorOutput => _error.ToString();

    public Task<int> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        CliInvoker.InvokeAsync(MaasRootCommand.Create(Context), args, Context, cancellationToken);

    /// <summary>A loopback URL nothing listens on: the port was free a moment ago and is released again.</summary>
    public static string UnusedLoopbackUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public void Dispose()
    {
        _http.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // An interactive console needs ANSI for live progress; plain output keeps assertions free of escape codes.
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        console.Profile.Width = width;
        return console;
    }
}
