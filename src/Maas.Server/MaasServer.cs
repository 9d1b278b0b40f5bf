using Microsoft.AspNetCore.Builder;

namespace Maas.Server;

/// <summary>Builds and runs the Maas HTTP server.</summary>
public static class MaasServer
{
    /// <summary>Builds the application; call <c>StartAsync</c>/<c>RunAsync</c> on it.</summary>
    public static WebApplication Build(MaasServerOptions options, string[]? args = null) =>
        throw new NotImplementedException(options.DataDirectory + args?.Length);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the process is asked to stop.</summary>
    public static async Task RunAsync(MaasServerOptions options, CancellationToken cancellationToken = default)
    {
        await using var app = Build(options);
        await app.RunAsync(cancellationToken == default ? null : $"http://{options.Host}:{options.HttpPort}").ConfigureAwait(false);
    }
}
