using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

/// <summary><c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c> for text-generation models.</summary>
internal static class OpenAiGenerationEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // Completions and chat completions are mapped here once the llama engine and token scheduler exist.
        _ = v1;
    }
}
