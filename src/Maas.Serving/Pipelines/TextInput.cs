using System.Text;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>Reads the texts of a text-in pipeline's request: one BYTES tensor <c>text</c> of shape [N], UTF-8.</summary>
internal static class TextInput
{
    public const string Name = "text";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string[] Read(InferenceRequest request, string input, string output)
    {
        if (request.Inputs.Count != 1 || request.Inputs[0].Name != input)
        {
            throw MaasException.InvalidArgument($"An embeddings model takes exactly one input, a BYTES tensor named '{input}'.");
        }

        if (request.RequestedOutputs is { } wanted && wanted.Any(o => o != output))
        {
            throw MaasException.InvalidArgument($"An embeddings model has one output, '{output}'.");
        }

        var tensor = request.Inputs[0];
        if (tensor.DataType != TensorDataType.Bytes || tensor.Shape.Length != 1)
        {
            throw MaasException.InvalidArgument($"Input '{input}' must be BYTES with shape [N].");
        }

        var texts = new string[tensor.ElementCount];
        for (var i = 0; i < texts.Length; i++)
        {
            try
            {
                texts[i] = StrictUtf8.GetString(tensor.GetBytes(i));
            }
            catch (DecoderFallbackException)
            {
                throw MaasException.InvalidArgument($"Element {i} of '{input}' is not valid UTF-8.");
            }
        }

        return texts;
    }
}
