namespace Maas.Formats.Onnx;

/// <summary>Reads an ONNX model's header and signature without loading its weights.</summary>
public static class OnnxModelReader
{
    /// <summary>Reads the model file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model (message says why).</exception>
    public static OnnxModelInfo Read(string path) => throw new NotImplementedException(path);
}
