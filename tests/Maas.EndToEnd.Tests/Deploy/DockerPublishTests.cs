using Maas.Tests.Shared;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Tests.Shared.Deploy;

namespace Maas.EndToEnd.Tests.Deploy;

/// <summary>The Dockerfile's build stage, run without Docker: its COPY instructions assemble a build context from this
/// repository (minus what <c>.dockerignore</c> leaves out) in a temporary root, its RUN steps (restore, publish) run
/// there, and the image's entrypoint then serves from the published output and stops cleanly on SIGTERM.</summary>
/// <remarks>Slow (a Release restore and publish of every project the CLI needs), so it runs once, here.</remarks>
public sealed class DockerPublishTests
{
    [Fact]
    public async Task BuildStage_RunWithoutDocker_PublishesAServerThatStartsAndDrainsOnSigterm()
    {
        var dockerfile = DockerfileModel.Parse(RepositoryFiles.Read("Dockerfile"));
        var ignore = DockerIgnore.Parse(RepositoryFiles.Read(".dockerignore"));
        var root = TempFolder.Create("maas-docker");
        try
        {
            var cwd = root;
            foreach (var instruction in dockerfile.Stages[0].Instructions)
            {
                switch (instruction.Keyword)
                {
                    case "WORKDIR":
                        cwd = InRoot(root, cwd, instruction.Arguments);
                        Directory.CreateDirectory(cwd);
                        break;
                    case "COPY":
                        var (sources, destination, _) = instruction.CopyParts();
                        foreach (var source in sources)
                        {
                            CopyFromContext(source, InRoot(root, cwd, destination), ignore);
                        }

                        // Host build outputs stay out of the context (nothing has been built in the stage yet).
                        Assert.Empty(Directory.GetDirectories(root, "bin", SearchOption.AllDirectories));
                        break;
                    case "RUN":
                        // Absolute paths of the build stage (-o /app) live under the temporary root.
                        var command = Regex.Replace(instruction.Arguments, @"(?<=\s)/(?=[a-z])", root + "/");
                        var (exit, output) = await RunAsync("bash", ["-c", command], cwd, TimeSpan.FromMinutes(20));
                        Assert.True(exit == 0, $"RUN {instruction.Arguments} failed ({exit}):\n{output}");
                        break;
                    default:
                        Assert.Fail($"The build stage has a {instruction.Keyword} this test does not know how to run.");
                        break;
                }
            }

            var copy = Assert.Single(dockerfile.Final.All("COPY"));
            var app = Path.Combine(root, copy.CopyParts().Sources.Single().TrimStart('/'));
            var files = Directory.GetFiles(app, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(app, f)).ToArray();
            Assert.Contains("maas.dll", files);
            Assert.Contains(files, f => f.EndsWith("libonnxruntime.so", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith("libllama.so", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith("libSkiaSharp.so", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("xunit", StringComparison.OrdinalIgnoreCase) || f.Contains("Tests", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("runtimes/win-", StringComparison.Ordinal) || f.Contains("runtimes/osx-", StringComparison.Ordinal));

            await ServeAsync(dockerfile.Final.Last("ENTRYPOINT")!.ExecForm(), app, Path.Combine(root, "data"));
        }
        finally
        {
            TempFolder.Delete(root);
        }
    }

    /// <summary>Runs the entrypoint from the published folder (loopback, free ports, a temporary data folder instead of
    /// the container's), waits until ready, then sends SIGTERM as Kubernetes does and expects a clean exit.</summary>
    private static async Task ServeAsync(string[] entrypoint, string app, string data)
    {
        Assert.Equal(["dotnet", "maas.dll"], entrypoint[..2]);
        var (http, grpc) = (FreePorts.Next(), FreePorts.Next());
        var replaced = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--host"] = "127.0.0.1",
            ["--http-port"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["--grpc-port"] = grpc.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["--data"] = data,
        };
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(app, "maas.dll"));
        for (var i = 2; i < entrypoint.Length; i++)
        {
            start.ArgumentList.Add(entrypoint[i]);
            if (replaced.TryGetValue(entrypoint[i], out var value))
            {
                start.ArgumentList.Add(value);
                i++;
            }
        }

        start.ArgumentList.Add("--no-samples");
        Assert.Equal(replaced.Keys.Order(StringComparer.Ordinal), start.ArgumentList.Where(replaced.ContainsKey).Order(StringComparer.Ordinal));
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
            var deadline = DateTime.UtcNow.AddMinutes(2);
            var ready = false;
            while (!ready && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync("/v2/health/ready");
                    ready = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                if (!ready)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(ready, $"the published server did not become ready:\n{output}");
            // bash's built-in kill: a minimal Debian has no /bin/kill.
            var (kill, _) = await RunAsync("bash", ["-c", $"kill -TERM {process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}"], app, TimeSpan.FromSeconds(10));
            Assert.Equal(0, kill);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode} after SIGTERM:\n{output}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string InRoot(string root, string cwd, string path) =>
        path.StartsWith('/') ? Path.Combine(root, path.TrimStart('/')) : Path.GetFullPath(Path.Combine(cwd, path));

    /// <summary>COPY from the build context: a file into a folder (destination ending in <c>/</c>), or a folder's
    /// contents into the destination folder.</summary>
    private static void CopyFromContext(string source, string destination, DockerIgnore ignore)
    {
        var from = RepositoryFiles.PathOf(source.TrimEnd('/'));
        if (File.Exists(from))
        {
            Assert.False(ignore.Excludes(source), $"{source} is copied but .dockerignore leaves it out");
            Directory.CreateDirectory(destination);
            File.Copy(from, Path.Combine(destination, Path.GetFileName(from)), overwrite: true);
            return;
        }

        Assert.True(Directory.Exists(from), $"COPY {source}: not in the context");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryFiles.Root, file).Replace('\\', '/');
            if (ignore.Excludes(relative))
            {
                continue;
            }

            var target = Path.Combine(destination, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
