using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving;
using Maas.Serving.Pipelines;
using Maas.Serving.Processing;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Maas.Server.Protocols.Predict;

/// <summary>The plain API for the simplest clients: <c>POST /models/{name}/predict</c> with <c>{"input": ...}</c>.</summary>
/// <remarks>
/// Embeddings: <c>input</c> is a string (answer: one vector) or a list of strings (a list of vectors).
/// Image models: a multipart/form-data body with one or more files (<c>curl -F file=@cat.jpg</c>), or JSON
/// <c>{"image": "&lt;base64&gt;"}</c> (or a list, or a <c>data:</c> URL; <c>input</c> works too).
/// Tensor models: <c>input</c> is a nested array for a single-input model, or an object of input name to nested
/// array; <c>output</c> is the nested array of a single output, or an object of output name to nested array.
/// </remarks>
internal static class PredictEndpoints
{
    public static IEndpointRouteBuilder MapPredict(this IEndpointRouteBuilder app)
    {
        app.MapPost("/models/{name}/predict", (HttpContext context, string name, IInferenceService service, IOptions<ServerLimitsOptions> limits) =>
                PredictAsync(context, ModelReference.Parse(name), service, limits.Value))
            .WithTags("Predict")
            .RequireModel(ModelAction.Infer)
            .WithMetadata(new RequestBodyDoc(typeof(PredictRequestDoc)))
            .Produces<PredictResponseDoc>()
            .WithMetadata(InferenceProtocol.Predict)
            .WithSummary("Predict with the plain input/output API");
        return app;
    }

    private static async Task PredictAsync(HttpContext context, ModelReference reference, IInferenceService service, ServerLimitsOptions limits)
    {
        var ct = context.RequestAborted;
        var target = await service.ResolveAsync(reference, ct).ConfigureAwait(false);
        InferenceRequestFeature.SetTarget(context, target);

        // An overloaded model refuses before the body is read and parsed: refusals stay cheap under load.
        service.ThrowIfQueueFull(target);
        if (context.Request.HasFormContentType)
        {
            var files = await PredictImages.ReadMultipartAsync(context.Request, ct).ConfigureAwait(false);
            await service.RunAsync(reference, async (version, pipeline, token) =>
            {
                InferenceRequestFeature.SetTarget(context, version);
                var images = pipeline as IImageEmbeddingPipeline
                    ?? throw MaasException.InvalidArgument($"A multipart/form-data body carries image files; '{version.Model}' is not an image model (its task is '{version.Manifest.Task}').");
                var result = await images.EmbedImagesAsync(files, token).ConfigureAwait(false);
                await WriteVectorsAsync(context.Response, version.Model, version.Version, result, files.Count == 1, token).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
            return;
        }

        using var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body.Memory, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("The body must be a JSON object with an 'input' field.");
        }

        JsonElement? input = null;
        var imageField = false;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            input = property.Name is "input" or "image"
                ? property.Value
                : throw MaasException.InvalidArgument($"Unknown field '{property.Name}'; the body is {{\"input\": ...}} (or {{\"image\": ...}} for an image model).");
            imageField = property.Name == "image";
        }

        if (input is not { } value)
        {
            throw MaasException.InvalidArgument("The body has no 'input' field.");
        }

        await service.RunAsync(reference, async (version, pipeline, token) =>
        {
            InferenceRequestFeature.SetTarget(context, version);
            if (pipeline is IImageEmbeddingPipeline images)
            {
                var (encoded, single) = PredictImages.ReadBase64(value);
                var result = await images.EmbedImagesAsync(encoded, token).ConfigureAwait(false);
                await WriteVectorsAsync(context.Response, version.Model, version.Version, result, single, token).ConfigureAwait(false);
            }
            else if (imageField)
            {
                throw MaasException.InvalidArgument($"'image' is for image models; '{version.Model}' takes 'input' (its task is '{version.Manifest.Task}').");
            }
            else if (pipeline is IEmbeddingPipeline embeddings)
            {
                await WriteEmbeddingsAsync(context.Response, version.Model, version.Version, embeddings, value, token).ConfigureAwait(false);
            }
            else
            {
                await WriteTensorsAsync(context.Response, version.Model, version.Version, pipeline, value, limits.MaxTensorElements, token).ConfigureAwait(false);
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    private static async Task WriteEmbeddingsAsync(HttpResponse response, string model, int version, IEmbeddingPipeline pipeline, JsonElement input, CancellationToken ct)
    {
        var single = input.ValueKind == JsonValueKind.String;
        List<string> texts;
        if (single)
        {
            texts = [input.GetString()!];
        }
        else if (input.ValueKind == JsonValueKind.Array && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            texts = input.EnumerateArray().Select(e => e.GetString()!).ToList();
        }
        else
        {
            throw MaasException.InvalidArgument("An embeddings model takes a string or a list of strings as 'input'.");
        }

        var result = await pipeline.EmbedAsync(texts, ct).ConfigureAwait(false);
        await WriteVectorsAsync(response, model, version, result, single, ct).ConfigureAwait(false);
    }

    /// <summary>One vector (<paramref name="single"/>) or a list of vectors as the predict <c>output</c>.</summary>
    private static Task WriteVectorsAsync(HttpResponse response, string model, int version, EmbeddingResult result, bool single, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return JsonBody.SendAsync(response, writer => WriteVectors(writer, model, version, result, single), ct);
    }

    private static void WriteVectors(Utf8JsonWriter writer, string model, int version, EmbeddingResult result, bool single)
    {
        WriteHeader(writer, model, version);
        if (!single)
        {
            writer.WriteStartArray();
        }

        for (var i = 0; i < result.Count; i++)
        {
            writer.WriteStartArray();
            foreach (var x in result[i])
            {
                TensorJson.WriteFloat(writer, x);
            }

            writer.WriteEndArray();
        }

        if (!single)
        {
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static async Task WriteTensorsAsync(HttpResponse response, string model, int version, IInferencePipeline pipeline, JsonElement input, int maxElements, CancellationToken ct)
    {
        var tensors = new List<Tensor>();
        try
        {
            if (input.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in input.EnumerateObject())
                {
                    var spec = pipeline.Inputs.FirstOrDefault(i => i.Name == property.Name)
                        ?? throw MaasException.InvalidArgument($"The model has no input '{property.Name}'; its inputs are {string.Join(", ", pipeline.Inputs.Select(i => i.Name))}.");
                    tensors.Add(NestedArrays.ToTensor(spec, property.Value, maxElements));
                }
            }
            else if (pipeline.Inputs.Count == 1)
            {
                tensors.Add(NestedArrays.ToTensor(pipeline.Inputs[0], input, maxElements));
            }
            else
            {
                throw MaasException.InvalidArgument($"The model has {pipeline.Inputs.Count} inputs; give 'input' as an object of input name to array.");
            }

            using var request = new InferenceRequest { Inputs = tensors };
            using var result = await pipeline.InferAsync(request, ct).ConfigureAwait(false);
            using var body = new JsonBody();
            var writer = body.Writer;
            WriteHeader(writer, model, version);
            if (pipeline is IClassifierPipeline { Classifier: { } classifier }
                && result.Outputs.FirstOrDefault(o => o.Name == classifier.Output) is { } scores)
            {
                WriteClasses(writer, scores, classifier);
            }
            else if (result.Outputs.Count == 1)
            {
                TensorJson.WriteNested(writer, result.Outputs[0]);
            }
            else
            {
                writer.WriteStartObject();
                foreach (var output in result.Outputs)
                {
                    writer.WritePropertyName(output.Name);
                    TensorJson.WriteNested(writer, output);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            await body.SendAsync(response, ct).ConfigureAwait(false);
        }
        finally
        {
            tensors.ForEach(t => t.Dispose());
        }
    }

    /// <summary>A classifier answers its top-K classes as <c>[{label, index, score}]</c>, one list per row (a single
    /// list when the output has no batch axis); <c>label</c> is omitted when the model has none for the class.</summary>
    private static void WriteClasses(Utf8JsonWriter writer, Tensor scores, ClassifierInfo classifier)
    {
        var rows = Classification.TopK(scores, classifier.TopK, classifier.Labels);
        var batched = scores.Shape.Length > 1;
        if (batched)
        {
            writer.WriteStartArray();
        }

        foreach (var row in rows)
        {
            writer.WriteStartArray();
            foreach (var c in row)
            {
                writer.WriteStartObject();
                if (c.Label is not null)
                {
                    writer.WriteString("label", c.Label);
                }

                writer.WriteNumber("index", c.Index);
                writer.WritePropertyName("score");
                if ((double)(float)c.Score == c.Score)
                {
                    TensorJson.WriteFloat(writer, (float)c.Score);
                }
                else
                {
                    writer.WriteNumberValue(c.Score);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (batched)
        {
            writer.WriteEndArray();
        }
    }

    private static void WriteHeader(Utf8JsonWriter writer, string model, int version)
    {
        writer.WriteStartObject();
        writer.WriteString("model", model);
        writer.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
        writer.WritePropertyName("output");
    }
}

/// <summary>Request body of the plain predict API, for the OpenAPI document.</summary>
internal sealed record PredictRequestDoc(JsonElement Input);

/// <summary>Response body of the plain predict API, for the OpenAPI document.</summary>
internal sealed record PredictResponseDoc(string Model, string Version, JsonElement Output);
