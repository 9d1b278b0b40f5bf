using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Maas.Core.Serialization;

namespace Maas.Cli.Client;

/// <summary>Talks HTTP to a running Maas server: the admin API under <c>/api</c> and the simple predict route.</summary>
/// <remarks>
/// Does not own the <see cref="HttpClient"/>, so one client (and its connection pool) can serve many calls.
/// Error statuses become <see cref="MaasApiException"/> carrying the server's message; failures to connect become
/// <see cref="MaasServerUnreachableException"/>.
/// </remarks>
internal sealed partial class MaasApiClient
{
    private const int FileBufferSize = 81920;

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly string? _apiKey;

    /// <param name="http">The HTTP client (not owned).</param>
    /// <param name="server">The server's base URL.</param>
    /// <param name="apiKey">Sent as <c>Authorization: Bearer</c> on every request when set (<c>MAAS_API_KEY</c>).</param>
    public MaasApiClient(HttpClient http, Uri server, string? apiKey = null)
    {
        _apiKey = string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
        ArgumentNullException.ThrowIfNull(server);
        _http = http;
        Server = server;

        // Relative paths resolve under the server URL only when it ends with '/', which lets the server sit
        // behind a path prefix (http://host/maas/).
        _baseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
    }

    public Uri Server { get; }

    /// <summary>Uploads files as a new version; <paramref name="progress"/> receives byte counts as they are sent.</summary>
    public async Task<ModelVersionInfo> PushAsync(ModelPushRequest request, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var content = new MultipartFormDataContent();

        // Metadata goes before the files so a server reading the body in order knows the alias and manifest
        // before it starts storing large artifacts.
        if (request.Alias is not null)
        {
            content.Add(new StringContent(request.Alias, Encoding.UTF8), "alias");
        }

        if (request.Description is not null)
        {
            content.Add(new StringContent(request.Description, Encoding.UTF8), "description");
        }

        if (request.ManifestJson is not null)
        {
            content.Add(new StringContent(request.ManifestJson, Encoding.UTF8, "application/json"), "manifest");
        }

        if (request.Base is not null)
        {
            content.Add(new StringContent(request.Base, Encoding.UTF8), "base");
        }

        foreach (var path in request.FilePaths)
        {
            // Streamed from disk: model files can be gigabytes and must never be loaded into memory.
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            if (progress is not null)
            {
                stream = new ProgressStream(stream, progress);
            }

            var part = new StreamContent(stream, FileBufferSize);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, "file", Path.GetFileName(path));
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, ModelPath(request.Model, "versions")) { Content = content };
        return await SendForJsonAsync<ModelVersionInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "api/models");
        var list = await SendForJsonAsync<ModelList>(message, cancellationToken).ConfigureAwait(false);
        return list.Models ?? [];
    }

    public async Task<ModelDetails> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, ModelPath(model));
        return await SendForJsonAsync<ModelDetails>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAliasAsync(string model, string alias, int version, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Put, ModelPath(model, "aliases", alias))
        {
            Content = JsonContent.Create(new JsonObject { ["version"] = version }, options: MaasJson.Options),
        };
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAliasAsync(string model, string alias, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Delete, ModelPath(model, "aliases", alias));
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteVersionAsync(string model, int version, bool force, CancellationToken cancellationToken = default)
    {
        var path = ModelPath(model, "versions", version.ToString()) + (force ? "?force=true" : "?force=false");
        using var message = new HttpRequestMessage(HttpMethod.Delete, path);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DeploymentInfo>> GetDeploymentsAsync(CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "api/deployments");
        var list = await SendForJsonAsync<DeploymentList>(message, cancellationToken).ConfigureAwait(false);
        return list.Deployments ?? [];
    }

    public async Task<ModelDeploymentInfo> GetModelDeploymentAsync(string model, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, ModelPath(model, "deployment"));
        return await SendForJsonAsync<ModelDeploymentInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes the fields in <paramref name="patch"/> (a JSON null resets one to the server default).</summary>
    public async Task<ModelDeploymentInfo> SetModelDeploymentAsync(string model, JsonObject patch, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Put, ModelPath(model, "deployment"))
        {
            Content = JsonContent.Create(patch, options: MaasJson.Options),
        };
        return await SendForJsonAsync<ModelDeploymentInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the model on <paramref name="input"/> and returns the whole response document.</summary>
    public async Task<JsonElement> PredictAsync(string model, JsonNode? input, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"models/{Uri.EscapeDataString(model)}/predict")
        {
            Content = JsonContent.Create(new JsonObject { ["input"] = input }, options: MaasJson.Options),
        };
        return await SendForJsonAsync<JsonElement>(message, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string? model, int? limit, CancellationToken cancellationToken = default) =>
        GetAuditAsync(new AuditFilter(model, Limit: limit), cancellationToken);

    private static string ModelPath(string model, params string[] rest) =>
        "api/models/" + string.Join('/', new[] { model }.Concat(rest).Select(Uri.EscapeDataString));

    private async Task<T> SendForJsonAsync<T>(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(MaasJson.Options, cancellationToken).ConfigureAwait(false);
            return value ?? throw new MaasApiException(response.StatusCode, "the server sent an empty response");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new MaasApiException(response.StatusCode, $"the server sent a response this CLI cannot read: {ex.Message}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        message.RequestUri = new Uri(_baseAddress, message.RequestUri!);
        if (_apiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new MaasServerUnreachableException(Server, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await ApiErrorReader.ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            throw new MaasApiException(response.StatusCode, error);
        }
    }
}
