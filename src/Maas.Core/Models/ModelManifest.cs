using Maas.Core.Tensors;

namespace Maas.Core.Models;

/// <summary>What a model version is and how to run it: format, engine, task, signature and processing steps.</summary>
/// <remarks>
/// Stored with the version and immutable with it. The signature is read from the model file itself at push time;
/// the processing steps come from the pushed manifest or from detection (e.g. a BERT encoder next to a
/// <c>vocab.txt</c> gets WordPiece, mean pooling and L2 normalisation).
/// </remarks>
public sealed record ModelManifest
{
    /// <summary>Artifact format: <c>onnx</c>, later <c>gguf</c>.</summary>
    public string Format { get; init; } = ModelFormats.Onnx;

    /// <summary>Engine that runs it: <c>onnx</c>, later <c>llama</c>.</summary>
    public string Engine { get; init; } = ModelFormats.Onnx;

    /// <summary>One of <see cref="ModelTasks"/>.</summary>
    public string Task { get; init; } = ModelTasks.Tensor;

    /// <summary>The logical file name of the main model file among the version's files.</summary>
    public string ModelFile { get; init; } = "model.onnx";

    public IReadOnlyList<TensorSpec> Inputs { get; init; } = [];

    public IReadOnlyList<TensorSpec> Outputs { get; init; } = [];

    public IReadOnlyList<ProcessingStep> PreProcessing { get; init; } = [];

    public IReadOnlyList<ProcessingStep> PostProcessing { get; init; } = [];

    /// <summary>Class labels for classification outputs, index-aligned.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Free-form facts read from the file (producer, opset, architecture ...).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
