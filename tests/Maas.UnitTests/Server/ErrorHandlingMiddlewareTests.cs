using System.Text;
using Maas.Core.Errors;
using Maas.Server.Http;
using Maas.UnitTests.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Server;

public sealed class ErrorHandlingMiddlewareTests
{
    [Theory]
    [InlineData(MaasErrorKind.InvalidArgument, 400)]
    [InlineData(MaasErrorKind.NotFound, 404)]
    [InlineData(MaasErrorKind.Conflict, 409)]
    public async Task InvokeAsync_UserError_LogsOneInformationLineWithoutException(MaasErrorKind kind, int status)
    {
        using var logs = new RecordingLoggerProvider();

        var (context, _) = await InvokeAsync("/api/models/x/versions", new MaasException(kind, "expected one .onnx (or .gguf) file"), logs);

        Assert.Equal(status, context.Response.StatusCode);
        var line = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Null(line.Exception);
        Assert.Equal($"POST /api/models/x/versions answered {status}: expected one .onnx (or .gguf) file", line.Message);
    }

    [Fact]
    public async Task InvokeAsync_QueueFull_LogsAtDebugOnly()
    {
        using var logs = new RecordingLoggerProvider();

        await InvokeAsync("/v2/models/m/infer", new MaasException(MaasErrorKind.TooManyRequests, "queue full"), logs);

        var line = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Debug, line.Level);
        Assert.Null(line.Exception);
    }

    [Fact]
    public async Task InvokeAsync_Unavailable_LogsWarningWithoutException()
    {
        using var logs = new RecordingLoggerProvider();

        await InvokeAsync("/v2/models/m/infer", MaasException.Unavailable("model 'm' is loading"), logs);

        var line = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Null(line.Exception);
    }

    [Fact]
    public async Task InvokeAsync_UnexpectedException_LogsErrorWithStackTraceButHidesIt()
    {
        using var logs = new RecordingLoggerProvider();

        var (context, body) = await InvokeAsync("/v2/models/m/infer", new InvalidOperationException("secret internals"), logs);

        Assert.Equal(500, context.Response.StatusCode);
        var line = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.IsType<InvalidOperationException>(line.Exception);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_InternalMaasException_LogsErrorWithException()
    {
        using var logs = new RecordingLoggerProvider();

        await InvokeAsync("/api/models", new MaasException(MaasErrorKind.Internal, "broken"), logs);

        var line = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.NotNull(line.Exception);
    }

    [Theory]
    [InlineData("/api/models/nope")]
    [InlineData("/v1/embeddings")]
    [InlineData("/v2/models/nope/infer")]
    [InlineData("/models/nope/predict")]
    public async Task InvokeAsync_MessageWithApostrophes_WrittenUnescapedInEveryProtocol(string path)
    {
        var (context, body) = await InvokeAsync(path, MaasException.NotFound("model 'nope' not found; café <b>"));

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Contains("model 'nope' not found; café <b>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", body, StringComparison.Ordinal);
    }

    [Fact]
    public void MaasJsonOptions_Apostrophe_WrittenUnescaped()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { Detail = "the model's file" }, Maas.Core.Serialization.MaasJson.Options);

        Assert.Equal("""{"detail":"the model's file"}""", json);
    }

    internal static async Task<(HttpContext Context, string Body)> InvokeAsync(string path, Exception thrown, RecordingLoggerProvider? logs = null)
    {
        using var ownLogs = logs is null ? new RecordingLoggerProvider() : null;
        var middleware = new ErrorHandlingMiddleware(_ => throw thrown, (logs ?? ownLogs)!.CreateLogger<ErrorHandlingMiddleware>());
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        using var body = new MemoryStream();
        context.Response.Body = body;

        await middleware.InvokeAsync(context);

        return (context, Encoding.UTF8.GetString(body.ToArray()));
    }
}
