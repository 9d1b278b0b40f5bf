using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

internal static class OpenAiModelsEndpoints
{
    public static void Map(RouteGroupBuilder v1) => _ = v1;
}
