namespace Maas.Core.Models;

/// <summary>Artifact formats (and the engines of the same name) that Maas knows.</summary>
public static class ModelFormats
{
    public const string Onnx = "onnx";
    public const string Gguf = "gguf";
}
