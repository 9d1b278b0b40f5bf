using System.Diagnostics;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Cli;

/// <summary>The <c>maas</c> CLI driving a real server: what an operator types, and what they see.</summary>
public sealed class CliAgainstServerTests() : CliServerTestBase("maas-cli-files")
{
    private const string Model = "adder";

    [Fact]
    public async Task Push_WithAlias_CreatesVersionAndPrintsItsFile()
    {
        var bytes = AddModel.Create(1);
        var path = WriteModel("v1", bytes);

        var result = await Cli.RunAsync("models", "push", Model, path, "--alias", "production");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Pushed {Model}:1", result.Output, StringComparison.Ordinal);
        Assert.Contains("alias production", result.Output, StringComparison.Ordinal);
        Assert.Contains("model.onnx", result.Output, StringComparison.Ordinal);
        var (_, details) = await Json.GetAsync(Server.Client, $"/api/models/{Model}");
        Assert.Equal(1, details.GetProperty("aliases").GetProperty("production").GetInt32());
        var file = Assert.Single(details.GetProperty("versions")[0].GetProperty("files").EnumerateArray());
        Assert.Equal(AddModel.Sha256(bytes), file.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task ListAndShow_AfterTwoPushes_PrintModelVersionsAndAliases()
    {
        await PushAsync(1, "--alias", "production");
        await PushAsync(2);

        var list = await Cli.RunAsync("models", "list");
        var show = await Cli.RunAsync("models", "show", Model);

        Assert.True(list.ExitCode == 0, list.ToString());
        var row = Assert.Single(list.Output.Split('\n'), l => l.Contains(Model, StringComparison.Ordinal));
        Assert.Contains("production", row, StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains($"{Model}:1 (production)", show.Output, StringComparison.Ordinal);
        Assert.Contains($"{Model}:2", show.Output, StringComparison.Ordinal);
        foreach (var constant in new[] { 1f, 2f })
        {
            // Each version's file row shows the start of its digest, so an operator can tell the two apart.
            Assert.Contains(AddModel.Sha256(AddModel.Create(constant))[..12], show.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Predict_JsonInput_PrintsTheVersionsOutput()
    {
        await PushAsync(1, "--alias", "production");
        await PushAsync(2);

        var byVersion = await Cli.RunAsync("predict", $"{Model}:2", "[[1, 2, 3]]");
        var byDefault = await Cli.RunAsync("predict", Model, "[[1, 2, 3]]");

        Assert.True(byVersion.ExitCode == 0, byVersion.ToString());
        Assert.Equal(AddModel.Expected(2), ParseRow(byVersion.Output));
        Assert.True(byDefault.ExitCode == 0, byDefault.ToString());
        Assert.Equal(AddModel.Expected(1), ParseRow(byDefault.Output));
    }

    [Fact]
    public async Task Alias_MoveAndRemove_ChangesWhatPredictServes()
    {
        await PushAsync(1, "--alias", "production");
        await PushAsync(2);

        var moved = await Cli.RunAsync("models", "alias", Model, "production", "2");

        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Contains($"{Model}@production", moved.Output, StringComparison.Ordinal);
        Assert.Contains($"{Model}:2", moved.Output, StringComparison.Ordinal);
        var served = await Eventually.WaitForAsync(() => Cli.RunAsync("predict", Model, "[[1, 2, 3]]"), r => r.ExitCode == 0 && ParseRow(r.Output).SequenceEqual(AddModel.Expected(2)));
        Assert.Equal(AddModel.Expected(2), ParseRow(served.Output));

        var removed = await Cli.RunAsync("models", "alias", Model, "production", "--remove");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var (_, details) = await Json.GetAsync(Server.Client, $"/api/models/{Model}");
        Assert.Empty(details.GetProperty("aliases").EnumerateObject());

        var again = await Cli.RunAsync("models", "alias", Model, "production", "--remove");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("production", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_AliasedVersion_FailsWithoutForceAndSucceedsWithIt()
    {
        await PushAsync(1, "--alias", "production");

        var refused = await Cli.RunAsync("models", "rm", Model, "1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("production", refused.Error, StringComparison.Ordinal);
        var (_, kept) = await Json.GetAsync(Server.Client, $"/api/models/{Model}");
        Assert.Equal(1, kept.GetProperty("versions").GetArrayLength());

        var forced = await Cli.RunAsync("models", "rm", Model, "1", "--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"Deleted {Model}:1", forced.Output, StringComparison.Ordinal);
        var (_, details) = await Json.GetAsync(Server.Client, $"/api/models/{Model}");
        Assert.Equal(0, details.GetProperty("versions").GetArrayLength());
        var predict = await Eventually.WaitForAsync(() => Cli.RunAsync("predict", $"{Model}:1", "[[1, 2, 3]]"), r => r.ExitCode != 0);
        Assert.Equal(1, predict.ExitCode);
    }

    [Fact]
    public async Task Audit_AfterChanges_ListsEachAction()
    {
        await PushAsync(1, "--alias", "production");
        await PushAsync(2);
        Assert.Equal(0, (await Cli.RunAsync("models", "alias", Model, "staging", "2")).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync("models", "rm", Model, "1", "--force")).ExitCode);

        var audit = await Cli.RunAsync("audit");

        Assert.True(audit.ExitCode == 0, audit.ToString());
        foreach (var action in new[] { "push", "alias.set", "version.delete" })
        {
            Assert.Contains(action, audit.Output, StringComparison.Ordinal);
        }

        Assert.Contains(Model, audit.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_UnknownModel_ExitsOneWithServerMessage()
    {
        var result = await Cli.RunAsync("models", "show", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nope", result.Error, StringComparison.Ordinal);
        Assert.Contains("not found", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Push_CorruptOnnxFile_ExitsOneAndStoresNothing()
    {
        var path = WriteModel("corrupt", [0x01, 0x02, 0x03, 0xFF, 0x00, 0x42]);

        var result = await Cli.RunAsync("models", "push", Model, path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a valid ONNX model", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await AddModel.ListModelsAsync(Server.Client)).GetArrayLength());
    }

    [Fact]
    public async Task Alias_WithoutVersionOrRemove_ExitsTwo()
    {
        var result = await Cli.RunAsync("models", "alias", Model, "production");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Help_AsProcess_ExitsZeroAndListsCommands()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "maas.dll"));
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
            var text = await stdout;
            Assert.Contains("models", text, StringComparison.Ordinal);
            Assert.Contains("serve", text, StringComparison.Ordinal);
            Assert.Contains("predict", text, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task PushAsync(float constant, params string[] extra)
    {
        var path = WriteModel($"v{constant}", AddModel.Create(constant));
        var result = await Cli.RunAsync(["models", "push", Model, path, .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private string WriteModel(string folder, byte[] bytes)
    {
        var directory = Path.Combine(Files, folder);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "model.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static float[] ParseRow(string output)
    {
        try
        {
            using var json = JsonDocument.Parse(output);
            return json.RootElement[0].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
