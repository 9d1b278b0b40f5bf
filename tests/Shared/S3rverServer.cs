using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Maas.Registry;

namespace Maas.Tests.Shared;

/// <summary>A real S3-protocol server for tests: the npm package <c>s3rver</c>, run as a process on a free loopback
/// port with its data in a temp folder; stopped and deleted on dispose (and when the test process exits).</summary>
/// <remarks>
/// Found through <c>MAAS_S3RVER</c> (a path) or <c>s3rver</c> on <c>PATH</c>; when it is missing the tests that need it
/// fail with the command that installs it (<c>.ci/run</c> installs it on CI). s3rver checks SigV4 signatures with the
/// fixed credentials <see cref="AccessKey"/>/<see cref="SecretKey"/>.
/// </remarks>
public sealed partial class S3rverServer : IDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string InstallHint = "npm install -g s3rver@3.7.1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<S3rverServer, bool> Running = new();
    private static int _exitHookInstalled;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private S3rverServer(Process process, string root, Uri serviceUrl)
    {
        _process = process;
        Root = root;
        ServiceUrl = serviceUrl;
    }

    /// <summary>The temp folder s3rver keeps buckets in.</summary>
    public string Root { get; }

    /// <summary>The endpoint, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>Starts s3rver and waits until it listens.</summary>
    public static S3rverServer Start()
    {
        var executable = FindExecutable();
        var root = Path.Combine(Path.GetTempPath(), "maas-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 (Node 17+) keeps in its legacy provider.
        info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        foreach (var arg in new[] { "-d", root, "-a", "127.0.0.1", "-p", "0", "--silent", "--no-vhost-buckets" })
        {
            info.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited before it listened:\n{Snapshot()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        S3rverServer? server = null;
        try
        {
            if (!listening.Task.Wait(StartTimeout))
            {
                throw new TimeoutException($"s3rver did not report its port within {StartTimeout.TotalSeconds} s:\n{Snapshot()}");
            }

            server = new S3rverServer(process, root, listening.Task.Result);
            Track(server);
            return server;
        }
        catch
        {
            if (server is null)
            {
                Stop(process);
                DeleteFolder(root);
            }

            throw;
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < 16_000)
                {
                    output.AppendLine(line);
                }
            }

            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(new Uri($"http://{match.Groups[1].Value}:{int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)}"));
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>A client for this server (path-style, its fixed credentials).</summary>
    public AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config
        {
            ServiceURL = ServiceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>Creates a bucket with a fresh name and returns the name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = "maas-" + Guid.NewGuid().ToString("N")[..20];
        using var client = CreateClient();
        await client.PutBucketAsync(name);
        return name;
    }

    /// <summary>Registry settings that put the artifacts in <paramref name="bucket"/> under <paramref name="prefix"/> on this server.</summary>
    public Action<RegistryOptions> Configure(string bucket, string? prefix = null) => o =>
    {
        o.Artifacts = $"s3://{bucket}" + (prefix is null ? "" : "/" + prefix);
        o.S3.ServiceUrl = ServiceUrl.ToString();
        o.S3.AccessKey = AccessKey;
        o.S3.SecretKey = SecretKey;
    };

    /// <summary>The same settings as <c>--Maas:Registry:...</c> configuration lines for a server.</summary>
    public IEnumerable<string> Settings(string bucket, string? prefix = null) =>
    [
        $"Maas:Registry:Artifacts=s3://{bucket}" + (prefix is null ? "" : "/" + prefix),
        $"Maas:Registry:S3:ServiceUrl={ServiceUrl}",
        $"Maas:Registry:S3:AccessKey={AccessKey}",
        $"Maas:Registry:S3:SecretKey={SecretKey}",
    ];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Running.TryRemove(this, out _);
        Stop(_process);
        _process.Dispose();
        DeleteFolder(Root);
    }

    private static string FindExecutable()
    {
        var configured = Environment.GetEnvironmentVariable("MAAS_S3RVER");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"MAAS_S3RVER names '{configured}', which does not exist. Install s3rver with: {InstallHint}");
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "s3rver");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The S3 tests need the s3rver npm package (a local S3-protocol server), which is not on PATH. Install it with: {InstallHint} " +
            "(needs Node.js; Debian: apt-get install nodejs npm), or set MAAS_S3RVER to its path. CI's .ci/run installs it.");
    }

    private static void Track(S3rverServer server)
    {
        Running[server] = true;
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            // A test run that ends without disposing (a crash in a fixture, a cancelled run) still stops its servers.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var running in Running.Keys)
                {
                    running.Dispose();
                }
            };
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"listening on ([0-9.]+):(\d+)")]
    private static partial Regex ListeningLine();
}
