using System.Xml.Linq;
using Maas.Server;
using Maas.Tests.Shared.Deploy;
using Maas.UnitTests.Cli;

namespace Maas.UnitTests.Deploy;

/// <summary>The Dockerfile's structure (there is no Docker daemon here): SDK stage publishes, the ASP.NET Core runtime
/// stage runs only the published output as a non-root user, and its entrypoint parses in the real CLI to the ports and
/// data folder the image exposes. Its publish step itself runs in the end-to-end DockerPublishTests.</summary>
public sealed class DockerfileTests
{
    private static readonly DockerfileModel Dockerfile = DockerfileModel.Parse(RepositoryFiles.Read("Dockerfile"));

    [Fact]
    public void Stages_SdkPublishes_AspNetRuntimeRunsOnlyThePublishedOutput()
    {
        Assert.Equal(2, Dockerfile.Stages.Count);
        var build = Dockerfile.Stages[0];
        Assert.Equal(("mcr.microsoft.com/dotnet/sdk:10.0", "build"), (build.Image, build.Name));
        var publish = Assert.Single(build.All("RUN"), r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("src/Maas.Cli/Maas.Cli.csproj", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish.Arguments, StringComparison.Ordinal);

        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", Dockerfile.Final.Image);
        var copy = Assert.Single(Dockerfile.Final.All("COPY"));
        var (sources, destination, from) = copy.CopyParts();
        Assert.Equal(["/app"], sources);
        Assert.Equal(("./", "build"), (destination, from));
        Assert.Equal("/app", Dockerfile.Final.Last("WORKDIR")?.Arguments);

        // Kubernetes ignores HEALTHCHECK and the runtime image has no HTTP client to run one: the probes do this job.
        Assert.Empty(Dockerfile.Final.All("HEALTHCHECK"));
    }

    [Fact]
    public void FinalStage_User_NumericNonRootAndSameAsTheDeployment()
    {
        var final = Dockerfile.Final;
        var user = final.Last("USER");
        Assert.NotNull(user);
        Assert.True(int.TryParse(user.Arguments, out var uid), "numeric, so runAsNonRoot can verify it");
        Assert.NotEqual(0, uid);

        // Everything that needs root (packages, the data folder's owner) happens before the switch.
        var switchedAt = final.Instructions.IndexOf(user);
        Assert.DoesNotContain(final.Instructions.Skip(switchedAt), i => i.Keyword is "RUN" or "USER" && i != user);
        Assert.Contains(final.All("RUN"), r => r.Arguments.Contains($"chown {uid}:{uid} /data", StringComparison.Ordinal));

        var security = KubernetesManifestTests.Deployment().Spec.Template.Spec.SecurityContext;
        Assert.Equal(uid, security.RunAsUser);
        Assert.True(security.RunAsNonRoot);
    }

    [Fact]
    public void FinalStage_NativeDependencies_InstalledWithoutRecommends()
    {
        var install = Assert.Single(Dockerfile.Final.All("RUN"), r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal));

        // llama.cpp's CPU backend links libgomp (OpenMP); the package lists are removed in the same layer.
        Assert.Contains("libgomp1", install.Arguments, StringComparison.Ordinal);
        Assert.Contains("--no-install-recommends", install.Arguments, StringComparison.Ordinal);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", install.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entrypoint_ParsedByTheCli_ServesOnAllInterfacesOnTheExposedPortsAndVolume()
    {
        var entrypoint = Dockerfile.Final.Last("ENTRYPOINT")!.ExecForm();
        Assert.Equal(["dotnet", "maas.dll", "serve"], entrypoint[..3]);
        var exposed = Dockerfile.Final.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToArray();
        var volume = Dockerfile.Final.Last("VOLUME")!.ExecForm();
        var container = KubernetesManifestTests.Deployment().Spec.Template.Spec.Containers.Single();
        using var cli = new CliHarness();

        // What the container runs: the entrypoint followed by the Deployment's args.
        var exitCode = await cli.RunAsync([.. entrypoint[2..], .. container.Args]);

        Assert.Equal(0, exitCode);
        var options = Assert.Single(cli.ServedOptions);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal([options.HttpPort, options.GrpcPort!.Value], exposed);
        Assert.Equal((8000, MaasServerOptions.DefaultGrpcPort), (options.HttpPort, options.GrpcPort.Value));
        Assert.Equal(["/data"], volume);
        Assert.Equal("/data", options.DataDirectory);
        Assert.False(options.RegisterSamples);
        Assert.Equal(exposed, container.Ports.Select(p => p.ContainerPort).ToArray());
    }

    [Fact]
    public void BuildStage_Restore_CopiesEveryProjectTheCliNeedsBeforeRestoring()
    {
        var build = Dockerfile.Stages[0];
        var restore = build.Instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "a restore step of its own, cached apart from the code");
        var copiedBeforeRestore = build.Instructions.Take(restore).Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.CopyParts().Sources).ToHashSet(StringComparer.Ordinal);

        var needed = ProjectClosure("src/Maas.Cli/Maas.Cli.csproj");

        Assert.True(needed.Count >= 10, string.Join(", ", needed));
        Assert.All(needed, project => Assert.Contains(project, copiedBeforeRestore));
        Assert.All(copiedBeforeRestore, source => Assert.True(File.Exists(RepositoryFiles.PathOf(source)), $"{source} is copied but does not exist"));
        Assert.Contains(build.Instructions.Skip(restore), i => i.Keyword == "COPY" && i.CopyParts().Sources.SequenceEqual(["src/"]));
    }

    [Fact]
    public void Dockerignore_BuildOutputsExcluded_SourcesKept()
    {
        var patterns = RepositoryFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains(".git/", patterns);
        Assert.DoesNotContain(patterns, p => p.TrimEnd('/') is "src" or "src/**" || p.StartsWith("Directory.", StringComparison.Ordinal) || p == ".editorconfig");
    }

    [Theory]
    [InlineData("src/Maas.Server/bin/Debug/net10.0/maas.dll", true)]
    [InlineData("src/Maas.Server/obj/project.assets.json", true)]
    [InlineData("tests/Maas.UnitTests/Deploy/DockerfileTests.cs", true)]
    [InlineData("README.md", true)]
    [InlineData(".git/HEAD", true)]
    [InlineData("src/Maas.Server/MaasServer.cs", false)]
    [InlineData("src/Maas.Server/Maas.Server.csproj", false)]
    [InlineData("Directory.Packages.props", false)]
    [InlineData(".editorconfig", false)]
    public void Dockerignore_Path_InOrOutOfTheContext(string path, bool excluded)
    {
        var ignore = DockerIgnore.Parse(RepositoryFiles.Read(".dockerignore"));

        Assert.Equal(excluded, ignore.Excludes(path));
    }

    /// <summary>The project and every project it references, transitively, as repository paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(RepositoryFiles.PathOf(next))!;
            foreach (var reference in XDocument.Load(RepositoryFiles.PathOf(next)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(RepositoryFiles.Root, full).Replace('\\', '/'));
            }
        }

        return found;
    }
}
