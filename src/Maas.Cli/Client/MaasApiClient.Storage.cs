namespace Maas.Cli.Client;

/// <summary>Artifact storage: <c>/api/storage</c>.</summary>
internal sealed partial class MaasApiClient
{
    /// <summary>Starts a <c>rotate-storage</c> job (refused with 409 when encryption at rest is not configured).</summary>
    public async Task<JobInfo> RotateStorageAsync(CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/storage/rotate");
        return await SendForJsonAsync<JobInfo>(message, cancellationToken).ConfigureAwait(false);
    }
}
