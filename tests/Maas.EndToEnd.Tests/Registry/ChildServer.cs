using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Tests.Shared;
using System.Diagnostics;
using System.Text;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>The real server as a separate <c>dotnet maas.dll serve</c> process, so a test can kill it like a crash would.</summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ChildServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="dataDirectory">The server's data folder.</param>
    /// <param name="settings">Configuration such as <c>Maas:Registry:Artifacts=s3://bucket</c>, passed as <c>--Key=value</c>.</param>
    /// <param name="environment">Extra environment variables (configuration such as <c>Maas__Jobs__...</c>), or null.</param>
    public static async Task<ChildServer> StartAsync(string dataDirectory, IEnumerable<string>? settings = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "maas.dll"), "serve", "--data", dataDirectory, "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-samples", "--grpc-port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var setting in settings ?? [])
        {
            start.ArgumentList.Add("--" + setting);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new ChildServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Kills the process tree at once, as a crash or <c>kill -9</c> would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private Task WaitUntilReadyAsync() => ServerProcessReadiness.WaitAsync(_process, Client, "maas serve", () => Log);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
