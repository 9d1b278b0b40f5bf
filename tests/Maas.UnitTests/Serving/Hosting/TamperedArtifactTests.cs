using Maas.Core.Errors;
using Maas.Serving.Hosting;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>A stored file that no longer matches its digest is refused by name; the version fails, others serve.</summary>
public sealed class TamperedArtifactTests
{
    [Fact]
    public async Task GetOrLoadAsync_StoredFileTampered_FailedNamingTheFileOtherModelServes()
    {
        await using var harness = new HostHarness();
        var tampered = await harness.PushAsync("bert");
        await harness.PushAsync("other");
        var sha = tampered.Files[0].Sha256;
        var blob = Path.Combine(harness.Registry.Store.Location, "sha256", sha[..2], sha);
        File.SetAttributes(blob, FileAttributes.Normal);
        await File.AppendAllTextAsync(blob, "!");

        var error = await Assert.ThrowsAsync<MaasException>(() => harness.CallAsync("bert:1"));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.Contains($"model.onnx of bert:1 failed verification: its bytes hash to sha256:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not the recorded sha256:{sha}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Registry.Store.Location, error.Message, StringComparison.Ordinal);
        var status = harness.Status("bert", 1)!;
        Assert.Equal(ModelState.Failed, status.State);
        Assert.StartsWith("model.onnx of bert:1 failed verification", status.LastError, StringComparison.Ordinal);
        Assert.Equal(0, harness.Engine.Loads("bert:1"));
        Assert.Equal(1, await harness.CallAsync("other:1"));
    }
}
