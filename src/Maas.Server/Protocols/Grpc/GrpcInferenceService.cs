using System.Globalization;
using Grpc.Core;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Maas.Serving.Hosting;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Protocols.Grpc.Inference;
using Microsoft.Extensions.Options;

namespace Maas.Server.Protocols.Grpc;

/// <summary><c>inference.GRPCInferenceService</c>: the Open Inference Protocol over gRPC, on the same
/// <see cref="IInferenceService"/> as REST (same routing, admission, batching and metrics).</summary>
internal sealed class GrpcInferenceService(IInferenceService service, IModelRegistry registry, IOptions<ServerLimitsOptions> limits)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = service.StartupComplete });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = "maas", Version = ServerInfo.Version });

    public override async Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var state = await service.GetStateAsync(Reference(request.Name, request.Version), context.CancellationToken).ConfigureAwait(false);
        return new ModelReadyResponse { Ready = state == ModelState.Ready };
    }

    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        var deployment = await service.GetDeploymentAsync(Reference(request.Name, request.Version), ct).ConfigureAwait(false);
        var version = deployment.Version;
        var details = await registry.GetModelAsync(version.Model, ct).ConfigureAwait(false);
        var response = new ModelMetadataResponse
        {
            Name = version.Model,
            Platform = version.Manifest.Engine == ModelFormats.Onnx ? "onnxruntime_onnx" : version.Manifest.Engine,
        };
        response.Versions.AddRange(details?.Versions.Select(v => v.Version).Order().Select(v => v.ToString(CultureInfo.InvariantCulture)) ?? []);
        foreach (var spec in deployment.Pipeline?.Inputs ?? version.Manifest.Inputs)
        {
            response.Inputs.Add(Metadata(spec));
        }

        foreach (var spec in deployment.Pipeline?.Outputs ?? version.Manifest.Outputs)
        {
            response.Outputs.Add(Metadata(spec));
        }

        return response;
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        var http = context.GetHttpContext();
        var reference = Reference(request.ModelName, request.ModelVersion);

        // As REST: an unknown model is NotFound whatever the inputs, and a full queue refuses before any parsing.
        var target = await service.ResolveAsync(reference, ct).ConfigureAwait(false);
        InferenceRequestFeature.SetTarget(http, target);
        service.ThrowIfQueueFull(target);

        using var inference = GrpcRequestReader.Read(request, limits.Value.MaxTensorElements);
        var (version, result) = await service.RunAsync(
            reference,
            async (v, pipeline, token) =>
            {
                InferenceRequestFeature.SetTarget(http, v);
                return (v, await pipeline.InferAsync(inference, token).ConfigureAwait(false));
            },
            ct).ConfigureAwait(false);
        using (result)
        {
            return GrpcResponseWriter.Write(version.Model, version.Version, inference.Id, result, raw: request.RawInputContents.Count > 0);
        }
    }

    private static ModelReference Reference(string name, string version) =>
        ModelReference.Parse(name, string.IsNullOrEmpty(version) ? null : version);

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType.ToProtocolName() };
        metadata.Shape.AddRange(spec.Shape);
        return metadata;
    }
}
