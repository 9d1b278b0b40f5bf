namespace Maas.UnitTests.Engines.Llama;

/// <summary>Writes the tiny random-weight GGUF once per test class into its own temporary folder.</summary>
public sealed class TinyLlamaModelFixture : IDisposable
{
    public TinyLlamaModelFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "maas-llama-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        ModelPath = TestLlamaGguf.Write(Directory);
    }

    public string Directory { get; }

    public string ModelPath { get; }

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
