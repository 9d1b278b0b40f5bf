namespace Maas.Formats.Onnx;

/// <summary>How <see cref="OnnxModelFile.Save"/> writes a model.</summary>
/// <remarks>Defaults: <see cref="OnnxExternalDataMode.Auto"/>, tensors of 1 KiB or more are externalized when
/// external data is used, into <c>{model file name}.data</c> beside the model file.</remarks>
public sealed record OnnxSaveOptions
{
    public OnnxExternalDataMode ExternalData { get; init; } = OnnxExternalDataMode.Auto;

    /// <summary>Tensors whose <c>raw_data</c> is smaller than this stay inline even when external data is used.</summary>
    public long ExternalDataThreshold { get; init; } = 1024;

    /// <summary>The data file's name (a plain file name beside the model); null: the model file's name + <c>.data</c>.</summary>
    public string? ExternalDataFileName { get; init; }

    /// <summary>The serialized size above which <see cref="OnnxExternalDataMode.Auto"/> moves tensors out; below
    /// 2 GiB (protobuf's limit) with some room for the rest of the message.</summary>
    public long InlineSizeLimit { get; init; } = OnnxModelFile.ProtobufSizeLimit;
}
