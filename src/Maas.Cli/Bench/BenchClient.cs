using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Maas.Cli.Client;

namespace Maas.Cli.Bench;

/// <summary>The HTTP side of a bench: the model's <c>/v2</c> metadata, scrapes of <c>/metrics</c>, and infer calls
/// timed from the first byte sent to the last byte of the answer.</summary>
/// <remarks>Owns one <see cref="HttpClient"/> over a <see cref="SocketsHttpHandler"/> with a connection per client,
/// so a closed loop of N clients keeps N keep-alive connections and never waits for one.</remarks>
internal sealed class BenchClient : IDisposable
{
    /// <summary>The binary tensor extension's header giving the JSON part's length.</summary>
    public const string InferenceHeaderContentLength = "Inference-Header-Content-Length";

    private readonly HttpClient _http;
    private readonly Uri _server;
    private readonly Uri _baseAddress;
    private readonly bool _ownsHttp;

    public BenchClient(Uri server, HttpClient http, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        _http = http;
        _ownsHttp = ownsHttp;
        _baseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
    }

    /// <summary>A client with its own connection pool sized for <paramref name="connections"/> concurrent requests.</summary>
    public static BenchClient Create(Uri server, int connections, TimeSpan timeout, string? apiKey = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var http = new HttpClient(handler) { Timeout = timeout };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return new BenchClient(server, http, ownsHttp: true);
    }

    /// <summary>The model's resolved name and inputs, from <c>GET /v2/models/{model}</c>.</summary>
    public async Task<(string Name, IReadOnlyList<InputTensor> Inputs)> GetMetadataAsync(string model, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, ModelPath(model))), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var message = await ApiErrorReader.ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            throw new MaasApiException(response.StatusCode, message);
        }

        var json = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : model;
        var inputs = new List<InputTensor>();
        if (root.TryGetProperty("inputs", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var input in list.EnumerateArray())
            {
                inputs.Add(new InputTensor(
                    input.GetProperty("name").GetString()!,
                    input.GetProperty("datatype").GetString()!,
                    input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToList()));
            }
        }

        return (name, inputs);
    }

    /// <summary>One scrape of <c>/metrics</c>; null when the server has none or the scrape fails.</summary>
    public async Task<MetricsScrape?> ScrapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(_baseAddress, "metrics"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? MetricsScrape.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The infer URL of <paramref name="model"/> (<c>name</c>, <c>name@alias</c> or <c>name:version</c>).</summary>
    public Uri InferUri(string model) => new(_baseAddress, ModelPath(model) + "/infer");

    /// <summary>Sends one pre-serialized body and records its latency, or the kind of failure.</summary>
    /// <remarks>A binary tensor extension body comes with its JSON header's length
    /// (<c>Inference-Header-Content-Length</c>); a plain JSON body with null.</remarks>
    public async Task InferAsync(Uri uri, byte[] body, int rows, LevelRecorder recorder, CancellationToken cancellationToken, int? headerLength = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is { } length)
        {
            content.Headers.Add(InferenceHeaderContentLength, length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        var started = Stopwatch.GetTimestamp();
        recorder.Sent(started);
        try
        {
            // ResponseContentRead: the answer is read to its end before the clock stops.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (response.IsSuccessStatusCode)
            {
                recorder.Success(elapsed.TotalMilliseconds, rows);
                return;
            }

            var message = await ApiErrorReader.ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            recorder.Failure($"HTTP {(int)response.StatusCode}", message, elapsed.TotalMilliseconds);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested && ex.InnerException is TimeoutException)
        {
            recorder.Failure("timeout", $"no answer within {BenchDuration.Format(_http.Timeout)}", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (HttpRequestException ex)
        {
            recorder.Failure("connection", ex.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string ModelPath(string model) => "v2/models/" + Uri.EscapeDataString(model);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using (message)
        {
            try
            {
                return await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                throw new MaasServerUnreachableException(_server, ex);
            }
        }
    }
}
