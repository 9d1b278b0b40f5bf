using Maas.Core.Errors;

namespace Maas.UnitTests.Engines.Llama;

public sealed class LlamaEngineLoadTests(TinyLlamaModelFixture model) : IClassFixture<TinyLlamaModelFixture>
{
    [Fact]
    public async Task LoadAsync_NotGguf_ThrowsWithLlamaReason()
    {
        var path = Path.Combine(model.Directory, "not-a-model.gguf");
        await File.WriteAllTextAsync(path, "this is not a GGUF file, just some text long enough to read a header from");

        var error = await Assert.ThrowsAsync<MaasException>(() => LlamaTestModels.LoadModelAsync(path));

        Assert.StartsWith("llama.cpp could not load tiny:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("magic", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(model.Directory, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TruncatedGguf_ThrowsWithLlamaReason()
    {
        var bytes = await File.ReadAllBytesAsync(model.ModelPath);
        var path = Path.Combine(model.Directory, "truncated.gguf");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<MaasException>(() => LlamaTestModels.LoadModelAsync(path));

        Assert.StartsWith("llama.cpp could not load tiny:1: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length > "llama.cpp could not load tiny:1: ".Length + 10, error.Message);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<MaasException>(() => LlamaTestModels.LoadModelAsync(Path.Combine(model.Directory, "missing.gguf")));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
    }
}
