using System.Text;
using Grpc.Core;
using Maas.Core.Errors;
using Maas.Server.Http;
using Maas.UnitTests.Logging;
using Microsoft.AspNetCore.Http;

namespace Maas.UnitTests.Server;

public sealed class ErrorMappingTests
{
    /// <summary>The one table: every error kind with its HTTP status and gRPC status code.</summary>
    public static TheoryData<MaasErrorKind, int, StatusCode> Table => new()
    {
        { MaasErrorKind.InvalidArgument, 400, StatusCode.InvalidArgument },
        { MaasErrorKind.NotFound, 404, StatusCode.NotFound },
        { MaasErrorKind.Conflict, 409, StatusCode.FailedPrecondition },
        { MaasErrorKind.PayloadTooLarge, 413, StatusCode.ResourceExhausted },
        { MaasErrorKind.TooManyRequests, 429, StatusCode.ResourceExhausted },
        { MaasErrorKind.Unavailable, 503, StatusCode.Unavailable },
        { MaasErrorKind.DeadlineExceeded, 504, StatusCode.DeadlineExceeded },
        { MaasErrorKind.Internal, 500, StatusCode.Internal },
        { MaasErrorKind.Unauthenticated, 401, StatusCode.Unauthenticated },
        { MaasErrorKind.PermissionDenied, 403, StatusCode.PermissionDenied },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void HttpStatusAndGrpcStatus_EveryKind_MatchTable(MaasErrorKind kind, int http, StatusCode grpc)
    {
        Assert.Equal(http, ErrorMapping.HttpStatus(kind));
        Assert.Equal(grpc, ErrorMapping.GrpcStatus(kind));
    }

    [Fact]
    public void Table_CoversEveryKind()
    {
        Assert.Equal(Enum.GetValues<MaasErrorKind>().Order(), Table.Select(row => (MaasErrorKind)row[0]).Order());
    }

    [Fact]
    public void Classify_UnexpectedException_InternalWithoutDetails()
    {
        var (kind, message) = ErrorMapping.Classify(new InvalidOperationException("secret path /srv/x"));

        Assert.Equal(MaasErrorKind.Internal, kind);
        Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MaasErrorKind.TooManyRequests, 429)]
    [InlineData(MaasErrorKind.Unavailable, 503)]
    [InlineData(MaasErrorKind.DeadlineExceeded, 504)]
    public async Task Middleware_EveryShape_StatusFromKind(MaasErrorKind kind, int status)
    {
        foreach (var path in new[] { "/api/models", "/v1/embeddings", "/v2/models/m/infer", "/models/m/predict" })
        {
            var (context, _) = await ErrorHandlingMiddlewareTests.InvokeAsync(path, new MaasException(kind, "no"));

            Assert.Equal(status, context.Response.StatusCode);
        }
    }

    [Fact]
    public async Task Middleware_EndpointShape_WinsOverPath()
    {
        using var logs = new RecordingLoggerProvider();
        var middleware = new ErrorHandlingMiddleware(_ => throw MaasException.NotFound("gone"), logs.CreateLogger<ErrorHandlingMiddleware>());
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/elsewhere";
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(ErrorShape.OpenAi), "test"));
        using var body = new MemoryStream();
        context.Response.Body = body;

        await middleware.InvokeAsync(context);

        Assert.Equal(404, context.Response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(body.ToArray()));
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("gone", error.GetProperty("message").GetString());
        Assert.Equal("not_found_error", error.GetProperty("type").GetString());
    }
}
