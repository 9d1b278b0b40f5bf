using System.Net.Http.Headers;

namespace Maas.Cli.Bench;

/// <summary>Adds <c>Authorization: Bearer &lt;key&gt;</c> to every request (the gRPC channel's API key).</summary>
internal sealed class BearerHandler(string apiKey) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return base.SendAsync(request, cancellationToken);
    }
}
