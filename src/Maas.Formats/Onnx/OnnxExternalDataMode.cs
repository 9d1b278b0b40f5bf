namespace Maas.Formats.Onnx;

/// <summary>Where <see cref="OnnxModelFile.Save"/> puts tensor bytes.</summary>
public enum OnnxExternalDataMode
{
    /// <summary>Inline, unless the model would pass the 2 GB protobuf limit; then large tensors go to a data file.</summary>
    Auto,

    /// <summary>Always inline; a model over the protobuf limit is refused.</summary>
    Never,

    /// <summary>Every tensor of at least <see cref="OnnxSaveOptions.ExternalDataThreshold"/> bytes goes to the data file.</summary>
    Always,
}
