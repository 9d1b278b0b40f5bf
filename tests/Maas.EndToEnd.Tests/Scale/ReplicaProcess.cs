using Maas.EndToEnd.Tests.Infrastructure;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>One replica: a real <c>dotnet maas.dll serve</c> process on a fixed port, which a test can SIGKILL and start again.</summary>
internal sealed class ReplicaProcess : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly IReadOnlyList<string> _settings;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public ReplicaProcess(string name, int port, string dataDirectory, IReadOnlyList<string> settings)
    {
        Name = name;
        Port = port;
        _dataDirectory = dataDirectory;
        _settings = settings;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>Talks to this replica directly, bypassing the balancer.</summary>
    public HttpClient Client { get; }

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

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "maas.dll"));
        foreach (var arg in new[] { "serve", "--data", _dataDirectory, "--http-port", Port.ToString(CultureInfo.InvariantCulture), "--no-samples", "--grpc-port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var setting in _settings)
        {
            start.ArgumentList.Add("--" + setting);
        }

        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync();
    }

    /// <summary>SIGKILL, as a crash or an evicted pod; waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod; returns at once (see <see cref="WaitForExitAsync"/>).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The exit code once the process has exited.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process!.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process?.Dispose();
        Client.Dispose();
    }

    private Task WaitUntilReadyAsync() => ServerProcessReadiness.WaitAsync(_process!, Client, Name, () => Log);

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
