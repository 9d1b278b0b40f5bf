using System.Runtime.InteropServices;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Serving;
using Maas.Serving.Pipelines;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

/// <summary><c>POST /v1/embeddings</c> for any embeddings model, with <c>encoding_format</c> <c>float</c> or <c>base64</c>;
/// for an image model (task <c>image-embeddings</c>) each input is a base64 image or <c>data:image/...;base64,</c> URL.</summary>
/// <remarks>The official clients ask for base64 by default: the vector's little-endian float32 bytes, base64-encoded.</remarks>
internal static class OpenAiEmbeddingsEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapPost("/embeddings", (HttpContext context, IInferenceService service) => EmbedAsync(context, service))
            .WithMetadata(new RequestBodyDoc(typeof(EmbeddingsRequestDoc)), InferenceProtocol.OpenAi)
            .WithSummary("Create embeddings");

    private static async Task EmbedAsync(HttpContext context, IInferenceService service)
    {
        var ct = context.RequestAborted;
        using var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false);
        var request = EmbeddingsRequest.Parse(body.Memory);
        var reference = ModelReference.Parse(request.Model);
        CallerAccess.Of(context).Require(reference.Name, ModelAction.Infer);
        await service.RunAsync(reference, async (version, pipeline, token) =>
        {
            InferenceRequestFeature.SetTarget(context, version);
            EmbeddingResult result;
            if (pipeline is IImageEmbeddingPipeline images)
            {
                // An image model's inputs are base64 images or data: URLs; the pipeline decodes them.
                CheckDimensions(request, images.Dimensions);
                var encoded = request.Inputs.Select(i => (ReadOnlyMemory<byte>)System.Text.Encoding.ASCII.GetBytes(i)).ToList();
                result = await images.EmbedImagesAsync(encoded, token).ConfigureAwait(false);
            }
            else if (pipeline is IEmbeddingPipeline embeddings)
            {
                CheckDimensions(request, embeddings.Dimensions);
                result = await embeddings.EmbedAsync(request.Inputs, token).ConfigureAwait(false);
            }
            else
            {
                throw MaasException.InvalidArgument($"The model '{request.Model}' does not create embeddings (its task is '{version.Manifest.Task}').");
            }

            await JsonBody.SendAsync(context.Response, writer => Write(writer, request, result), token).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
    }

    private static void CheckDimensions(EmbeddingsRequest request, int dimensions)
    {
        if (request.Dimensions is { } wanted && wanted != dimensions)
        {
            throw MaasException.InvalidArgument($"The model '{request.Model}' gives {dimensions} dimensions; 'dimensions' = {wanted} is not supported.");
        }
    }

    private static void Write(Utf8JsonWriter writer, EmbeddingsRequest request, EmbeddingResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        for (var i = 0; i < result.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("object", "embedding");
            writer.WriteNumber("index", i);
            if (request.Base64)
            {
                // float32 little-endian, which is how every platform we run on lays floats out in memory.
                writer.WriteBase64String("embedding", MemoryMarshal.AsBytes(result[i]));
            }
            else
            {
                writer.WriteStartArray("embedding");
                foreach (var x in result[i])
                {
                    Protocols.TensorJson.WriteFloat(writer, x);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("model", request.Model);
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", result.TokenCount);
        writer.WriteNumber("total_tokens", result.TokenCount);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
