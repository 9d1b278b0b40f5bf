using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>Reads the images of an image pipeline's tensor request: one BYTES tensor <c>image</c> of shape [N], each
/// element an encoded image (raw bytes from gRPC or the binary extension, base64 text from JSON).</summary>
internal static class ImageInput
{
    public const string Name = "image";

    public static ReadOnlyMemory<byte>[] Read(InferenceRequest request, string output)
    {
        if (request.Inputs.Count != 1 || request.Inputs[0].Name != Name)
        {
            throw MaasException.InvalidArgument($"An image embeddings model takes exactly one input, a BYTES tensor named '{Name}' holding encoded images.");
        }

        if (request.RequestedOutputs is { } wanted && wanted.Any(o => o != output))
        {
            throw MaasException.InvalidArgument($"An image embeddings model has one output, '{output}'.");
        }

        var tensor = request.Inputs[0];
        if (tensor.DataType != TensorDataType.Bytes || tensor.Shape.Length != 1)
        {
            throw MaasException.InvalidArgument($"Input '{Name}' must be BYTES with shape [N], one encoded image per element.");
        }

        var images = new ReadOnlyMemory<byte>[tensor.ElementCount];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = tensor.GetBytesMemory(i);
        }

        return images;
    }
}
