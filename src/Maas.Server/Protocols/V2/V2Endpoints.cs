using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Maas.Serving.Hosting;
using Maas.Serving.Pipelines;
using Maas.Serving.Processing;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Maas.Server.Protocols.V2;

/// <summary>Open Inference Protocol v2 (KServe / Triton) over REST, with the binary tensor data, classification,
/// model repository and statistics extensions.</summary>
internal static class V2Endpoints
{
    /// <summary>The extensions server metadata announces, named as Triton names them.</summary>
    public static readonly IReadOnlyList<string> Extensions = ["binary_tensor_data", "classification", "model_repository", "statistics"];

    public static IEndpointRouteBuilder MapOpenInferenceProtocol(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2").WithTags("Open Inference Protocol v2");
        v2.MapGet("", () => JsonBody.Result(new V2ServerMetadata("maas", ServerInfo.Version, Extensions), ServerJson.V2.V2ServerMetadata))
            .WithSummary("Server metadata");
        v2.MapGet("/health/live", () => JsonBody.Result(new V2Live(true), ServerJson.V2.V2Live))
            .AllowAnonymous()
            .WithSummary("Liveness: the process is serving HTTP");
        v2.MapGet("/health/ready", (IInferenceService service, Maas.Server.Hosting.ShutdownDrain drain) => service.StartupComplete && !drain.IsDraining
                ? JsonBody.Result(new V2Ready(true), ServerJson.V2.V2Ready)
                : JsonBody.Result(new V2Ready(false), ServerJson.V2.V2Ready, StatusCodes.Status503ServiceUnavailable))
            .AllowAnonymous()
            .WithSummary("Readiness: start-up loading has finished and the server is not shutting down");

        v2.MapStatistics();
        v2.MapRepository();
        v2.MapGet("/models/{name}", (string name, IInferenceService service, IModelRegistry registry, CancellationToken ct) =>
            MetadataAsync(ModelReference.Parse(name), service, registry, ct)).RequireModel(ModelAction.Read).WithSummary("Model metadata (name, name@alias or name:version)");
        v2.MapGet("/models/{name}/versions/{version}", (string name, string version, IInferenceService service, IModelRegistry registry, CancellationToken ct) =>
            MetadataAsync(ModelReference.Parse(name, version), service, registry, ct)).RequireModel(ModelAction.Read).WithSummary("Model version metadata");
        v2.MapGet("/models/{name}/ready", (string name, IInferenceService service, CancellationToken ct) =>
            ReadyAsync(ModelReference.Parse(name), service, ct)).RequireModel(ModelAction.Read).WithSummary("Model readiness");
        v2.MapGet("/models/{name}/versions/{version}/ready", (string name, string version, IInferenceService service, CancellationToken ct) =>
            ReadyAsync(ModelReference.Parse(name, version), service, ct)).RequireModel(ModelAction.Read).WithSummary("Model version readiness");
        v2.MapPost("/models/{name}/infer", (HttpContext context, string name, IInferenceService service, IOptions<ServerLimitsOptions> limits) =>
                InferAsync(context, ModelReference.Parse(name), service, limits.Value))
            .RequireModel(ModelAction.Infer)
            .WithMetadata(new RequestBodyDoc(typeof(V2InferenceRequestDoc)))
            .Produces<V2InferenceResponseDoc>()
            .WithMetadata(InferenceProtocol.V2)
            .WithSummary("Inference");
        v2.MapPost("/models/{name}/versions/{version}/infer", (HttpContext context, string name, string version, IInferenceService service, IOptions<ServerLimitsOptions> limits) =>
                InferAsync(context, ModelReference.Parse(name, version), service, limits.Value))
            .RequireModel(ModelAction.Infer)
            .WithMetadata(new RequestBodyDoc(typeof(V2InferenceRequestDoc)))
            .Produces<V2InferenceResponseDoc>()
            .WithMetadata(InferenceProtocol.V2)
            .WithSummary("Inference on a version");
        return app;
    }

    /// <summary>Answers from the registry's manifest, or from the loaded pipeline when one serves; never loads.</summary>
    private static async Task<IResult> MetadataAsync(ModelReference reference, IInferenceService service, IModelRegistry registry, CancellationToken ct)
    {
        var version = await service.ResolveAsync(reference, ct).ConfigureAwait(false);
        var details = await registry.GetModelAsync(version.Model, ct).ConfigureAwait(false);
        var versions = details?.Versions.Select(v => v.Version).Order().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList() ?? [];
        var (inputs, outputs) = service.FindServing(version)?.Pipeline is { } pipeline
            ? (pipeline.Inputs, pipeline.Outputs)
            : PipelineSignature.Describe(version.Manifest);
        var metadata = new V2ModelMetadata(
            version.Model,
            versions,
            version.Manifest.Engine == ModelFormats.Onnx ? "onnxruntime_onnx" : version.Manifest.Engine,
            inputs.Select(V2TensorMetadata.From).ToList(),
            outputs.Select(V2TensorMetadata.From).ToList());
        return JsonBody.Result(metadata, ServerJson.V2.V2ModelMetadata);
    }

    private static async Task<IResult> ReadyAsync(ModelReference reference, IInferenceService service, CancellationToken ct)
    {
        var state = await service.GetStateAsync(reference, ct).ConfigureAwait(false);
        var body = new V2ModelReady(reference.Name, state == ModelState.Ready, state.ToString().ToLowerInvariant());
        return JsonBody.Result(body, ServerJson.V2.V2ModelReady,
            state == ModelState.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task InferAsync(HttpContext context, ModelReference reference, IInferenceService service, ServerLimitsOptions limits)
    {
        var ct = context.RequestAborted;

        // Resolve first: an unknown model is a 404 whatever the body holds.
        var target = await service.ResolveAsync(reference, ct).ConfigureAwait(false);
        InferenceRequestFeature.SetTarget(context, target);

        // An overloaded model refuses before the body is read and parsed: refusals stay cheap under load.
        service.ThrowIfQueueFull(target);
        using var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false);
        var jsonLength = JsonPartLength(context.Request, body.Length);
        using var request = V2RequestReader.Read(body.Span[..jsonLength], body.Span[jsonLength..], limits.MaxTensorElements, limits.MaxJsonDepth);
        var (version, result, classifier) = await service.RunAsync(
            reference,
            async (v, pipeline, token) =>
            {
                InferenceRequestFeature.SetTarget(context, v);
                var output = await pipeline.InferAsync(request.Request, token).ConfigureAwait(false);
                return (v, output, (pipeline as IClassifierPipeline)?.Classifier);
            },
            ct).ConfigureAwait(false);
        using (result)
        {
            var outputs = Classify(request, result.Outputs, classifier);
            await V2ResponseWriter.WriteAsync(context.Response, version.Model, version.Version, request.Request.Id, outputs, request.IsBinary, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The length of the JSON part: the <c>Inference-Header-Content-Length</c> header, else the whole body.</summary>
    private static int JsonPartLength(HttpRequest request, int bodyLength)
    {
        if (!request.Headers.TryGetValue(V2BinaryData.HeaderContentLength, out var values))
        {
            return bodyLength;
        }

        if (values.Count != 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > bodyLength)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"{V2BinaryData.HeaderContentLength} must be one non-negative integer no larger than the body ({bodyLength} bytes); it is '{values}'."));
        }

        return length;
    }

    /// <summary>Replaces each output requested with <c>classification = K</c> by its top K classes as
    /// <c>"score:index[:label]"</c> strings (classification extension); labels come from the manifest's classifier.</summary>
    private static IReadOnlyList<Tensor> Classify(V2Request request, IReadOnlyList<Tensor> outputs, ClassifierInfo? classifier)
    {
        if (request.Outputs is not { } wanted || !wanted.Any(o => o.Classification is not null))
        {
            return outputs;
        }

        var answer = new List<Tensor>(outputs.Count);
        foreach (var output in outputs)
        {
            var k = wanted.FirstOrDefault(o => o.Name == output.Name)?.Classification;
            answer.Add(k is { } top
                ? Classification.ToStrings(output, top, classifier is not null && classifier.Output == output.Name ? classifier.Labels : null)
                : output);
        }

        return answer;
    }
}
