using Maas.Formats.Gguf;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>Writes a tiny random-weight llama GGUF (64-dim, 2 layers) once per test class into its own temporary folder.</summary>
public sealed class TinyLlamaModelFixture : IDisposable
{
    public const int TrainedContextLength = 128;
    public const int BosToken = 1;
    public const int EosToken = 2;

    public TinyLlamaModelFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "maas-llama-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        ModelPath = Path.Combine(Directory, "tiny-llama.gguf");
        TinyLlamaGguf.Write(ModelPath, new TinyLlamaOptions { ContextLength = TrainedContextLength, HeadCountKv = 2 });
        VocabularySize = GgufModelFacts.From(GgufReader.Read(ModelPath)).VocabularySize ?? throw new InvalidOperationException("The tiny model has no vocabulary.");
    }

    public string Directory { get; }

    public string ModelPath { get; }

    public int VocabularySize { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a model another test has not disposed yet; the temp folder is cleaned later.
        }
    }
}
