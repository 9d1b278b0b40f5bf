using Grpc.Core;
using Grpc.Core.Interceptors;
using Maas.Core.Models;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.Server.Security;

/// <summary>Applies <see cref="CallerAccess"/> to the gRPC inference service: the model of each call must be visible
/// (else NotFound, as for a missing model) and the role must allow the call (else PermissionDenied).</summary>
/// <remarks>Authentication itself happened in the HTTP pipeline (<see cref="AuthenticationGate"/>); errors thrown here
/// become gRPC statuses in the error interceptor, which runs outside this one.</remarks>
internal sealed class GrpcAccessInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var (model, action) = request switch
        {
            ModelInferRequest r => (r.ModelName, ModelAction.Infer),
            ModelMetadataRequest r => (r.Name, ModelAction.Read),
            ModelReadyRequest r => (r.Name, ModelAction.Read),
            _ => ((string?)null, ModelAction.Read),
        };

        // Other messages (server metadata, health, reflection) carry no model; the gate has decided about them.
        if (model is not null && ModelReference.TryParse(model, null, out var reference, out _))
        {
            CallerAccess.Of(context.GetHttpContext()).Require(reference.Name, action);
        }

        return continuation(request, context);
    }
}
