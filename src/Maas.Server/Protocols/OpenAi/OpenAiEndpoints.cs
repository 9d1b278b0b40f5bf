using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>The OpenAI-compatible API under <c>/v1</c>: models, embeddings, and (for text generators) completions and chat.</summary>
/// <remarks>The <c>model</c> field accepts <c>name</c>, <c>name@alias</c> and <c>name:version</c>. Errors use OpenAI's
/// <c>{"error": {"message", "type", "param", "code"}}</c> shape (see the error middleware).</remarks>
internal static class OpenAiEndpoints
{
    public static IEndpointRouteBuilder MapOpenAi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("OpenAI-compatible");
        OpenAiModelsEndpoints.Map(v1);
        OpenAiEmbeddingsEndpoints.Map(v1);
        OpenAiGenerationEndpoints.Map(v1);
        OpenAiTokenizerEndpoints.Map(app, v1);
        return app;
    }
}
