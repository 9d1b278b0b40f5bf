using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Maas.Server.Http;

/// <summary>Adds the request body schema named by <see cref="RequestBodyDoc"/> to an operation.</summary>
internal sealed class RequestBodyDocTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var doc = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyDoc>().FirstOrDefault();
        if (doc is null)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(doc.BodyType, null, cancellationToken).ConfigureAwait(false);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
