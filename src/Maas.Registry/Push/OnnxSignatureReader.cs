using Maas.Formats.Onnx;

namespace Maas.Registry.Push;

/// <summary>The production reader: Maas.Formats' protobuf reader, which skips the weights.</summary>
internal sealed class OnnxSignatureReader : ISignatureReader
{
    public OnnxModelInfo ReadOnnx(string path) => OnnxModelReader.Read(path);
}
