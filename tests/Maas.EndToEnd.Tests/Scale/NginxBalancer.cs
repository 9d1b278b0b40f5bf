using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>A real nginx (Debian's package; <c>.ci/run</c> installs it) in front of the replicas, run as a foreground
/// process with a generated configuration in a temporary folder.</summary>
/// <remarks>
/// Passive health checks only, as in a plain nginx: an upstream that refuses or drops a connection is marked failed for
/// a few seconds and the request is retried on the next one (<c>proxy_next_upstream</c>, including POSTs, since an
/// inference is safe to repeat), so a killed replica costs no failed request.
/// </remarks>
internal sealed class NginxBalancer : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/nginx";
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NginxBalancer(Process process, string folder, int port)
    {
        _process = process;
        Folder = folder;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Folder { get; }

    public HttpClient Client { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString() + (File.Exists(Path.Combine(Folder, "error.log")) ? File.ReadAllText(Path.Combine(Folder, "error.log")) : string.Empty);
            }
        }
    }

    public static async Task<NginxBalancer> StartAsync(string folder, int port, IEnumerable<int> upstreamPorts)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's nginx package (apt-get install -y nginx-light), as .ci/run does.");
        }

        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(folder, port, upstreamPorts));
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", folder + "/", "-c", config, "-e", Path.Combine(folder, "error.log") })
        {
            start.ArgumentList.Add(arg);
        }

        var balancer = new NginxBalancer(Process.Start(start) ?? throw new InvalidOperationException("nginx did not start."), folder, port);
        try
        {
            await balancer.WaitUntilListeningAsync();
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }

        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Config(string folder, int port, IEnumerable<int> upstreamPorts)
    {
        var servers = string.Join("\n", upstreamPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;")));
        var user = Environment.UserName == "root" ? "user root;\n" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}daemon off;
            master_process on;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                client_max_body_size 0;
                upstream maas {
            {{servers}}
                    keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://maas;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_connect_timeout 1s;
                        proxy_read_timeout 60s;
                        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                        proxy_next_upstream_tries 3;
                    }
                }
            }
            """);
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await Client.GetAsync("/v2/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nginx did not answer:\n{Log}");
    }

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
