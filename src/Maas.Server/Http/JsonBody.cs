using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.IO;

namespace Maas.Server.Http;

/// <summary>A JSON response body: written in full into pooled memory, then sent with a Content-Length.</summary>
/// <remarks>
/// <para>Every JSON answer of the server goes through here (inference results, listings, metadata, errors); only
/// streams (server-sent events, progress) are sent as they are made. A <see cref="Utf8JsonWriter"/> on the response's
/// own body starts the response at its first write, so Kestrel can only frame it chunked, and the terminating chunk
/// leaves after the body. A balancer in front of a replica killed between the two holds a body without its end, which
/// it can neither finish nor retry (nginx: "upstream prematurely closed connection while reading upstream", seen in
/// MultiReplicaTests). Built first, a body up to <see cref="FlushThreshold"/> leaves in one flush: the balancer has
/// all of it or none of it, and a client knows its length up front.</para>
/// <para>The memory comes from <see cref="RecyclableMemoryStreamManager"/>'s pools (bounded below) rather than a
/// fresh growing array per response, so a busy inference endpoint does not allocate its bodies anew each time.</para>
/// </remarks>
internal sealed class JsonBody : IDisposable
{
    /// <summary>Bodies up to this size leave in one flush; a larger one is flushed in parts of this size.</summary>
    internal const int FlushThreshold = 1024 * 1024;

    private static readonly RecyclableMemoryStreamManager Pool = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 16 * 1024,
        LargeBufferMultiple = 1024 * 1024,
        MaximumBufferSize = 16 * 1024 * 1024,
        MaximumSmallPoolFreeBytes = 16 * 1024 * 1024,
        MaximumLargePoolFreeBytes = 32 * 1024 * 1024,
    });

    private readonly RecyclableMemoryStream _stream;

    public JsonBody()
    {
        _stream = Pool.GetStream("json-response");
        Writer = new Utf8JsonWriter((IBufferWriter<byte>)_stream, ServerJson.WriterOptions);
    }

    /// <summary>Where the body is written; <see cref="SendAsync(HttpResponse, CancellationToken, string)"/> sends what it holds.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>Sends the body as <paramref name="response"/>'s content, with its Content-Length.</summary>
    public async Task SendAsync(HttpResponse response, CancellationToken cancellationToken, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(response);
        Writer.Flush();
        response.ContentType = contentType;
        response.ContentLength = _stream.Length;
        var pipe = response.BodyWriter;
        var pending = 0L;
        foreach (var segment in _stream.GetReadOnlySequence())
        {
            pipe.Write(segment.Span);
            pending += segment.Length;
            if (pending >= FlushThreshold)
            {
                await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
                pending = 0;
            }
        }

        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Writer.Dispose();
        _stream.Dispose();
    }

    /// <summary>Writes a body with <paramref name="write"/> and sends it.</summary>
    public static async Task SendAsync(HttpResponse response, Action<Utf8JsonWriter> write, CancellationToken cancellationToken, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(write);
        using var body = new JsonBody();
        write(body.Writer);
        await body.SendAsync(response, cancellationToken, contentType).ConfigureAwait(false);
    }

    /// <summary>Serializes <paramref name="value"/> and sends it.</summary>
    public static Task SendAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string contentType = "application/json") =>
        SendAsync(response, writer => JsonSerializer.Serialize(writer, value, typeInfo), cancellationToken, contentType);

    /// <summary>An endpoint result that sends <paramref name="value"/> this way with <paramref name="statusCode"/>.</summary>
    public static IResult Result<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) =>
        new JsonBodyResult<T>(value, typeInfo, statusCode);

    /// <summary>An endpoint result that serializes <paramref name="value"/> with <paramref name="options"/>.</summary>
    public static IResult Result<T>(T value, JsonSerializerOptions options, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Result(value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)), statusCode);
    }

    private sealed class JsonBodyResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode)
        : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
    {
        public int? StatusCode => statusCode;

        public object? Value => value;

        T? IValueHttpResult<T>.Value => value;

        public string ContentType => "application/json";

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.StatusCode = statusCode;
            return SendAsync(httpContext.Response, value, typeInfo, httpContext.RequestAborted);
        }
    }
}
