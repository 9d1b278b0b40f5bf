using System.Net;
using System.Text;
using System.Text.Json;

namespace Maas.EndToEnd.Tests.Infrastructure;

/// <summary>Sends a request and checks that its JSON answer came with a Content-Length, not chunked.</summary>
/// <remarks>A body sent chunked, its end after the body, is what a balancer cannot finish or retry when the
/// replica dies in between; every JSON answer of the server is built first and framed by its length.</remarks>
public static class ResponseFraming
{
    public static async Task<HttpStatusCode> AssertLengthFramedJsonAsync(HttpClient client, string method, string path, string? json)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.Headers.TransferEncodingChunked != true, $"{method} {path} answered {(int)response.StatusCode} chunked");
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.True(bytes.Length > 0, $"{method} {path} answered an empty body");
        Assert.Contains("json", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(bytes);
        return response.StatusCode;
    }
}
