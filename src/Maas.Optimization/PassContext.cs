using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Core.Tensors;

namespace Maas.Optimization;

/// <summary>The input of one pass run.</summary>
/// <param name="ModelPath">Local path of the parent's model file (its external data files sit beside it).</param>
/// <param name="Manifest">The parent's manifest.</param>
/// <param name="Options">The method's options object (may be an empty object).</param>
/// <param name="OutputDirectory">An empty folder to write the result (model file and any external data) into.</param>
/// <param name="Progress">Fraction of this pass done (0..1) and a stage description.</param>
public sealed record PassContext(
    string ModelPath,
    ModelManifest Manifest,
    System.Text.Json.JsonElement Options,
    string OutputDirectory,
    Action<double, string> Progress)
{
    /// <summary>Model-level input feeds (after pre-processing) for calibration; null when the method needs none.</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>>? CalibrationInputs { get; init; }

    /// <summary>Loads an ONNX file as a tensor model through the engine contract (for calibration runs); the caller
    /// disposes it.</summary>
    public Func<string, CancellationToken, Task<ITensorModel>>? LoadTensorModel { get; init; }
}
