using Maas.Formats.Onnx;

namespace Maas.Registry.Push;

/// <summary>Reads an ONNX file's signature and header; a seam so detection can be tested without real model files.</summary>
internal interface ISignatureReader
{
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
    OnnxModelInfo ReadOnnx(string path);
}
