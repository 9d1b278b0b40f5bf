using System.Text.Json;
using Maas.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Maas.UnitTests.Server;

public sealed class JsonBodyTests
{
    [Fact]
    public async Task SendAsync_SmallBody_SetsLengthAndTypeAndFlushesOnce()
    {
        var (context, body) = NewContext();

        await JsonBody.SendAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("message", "model 'x' not found");
            writer.WriteEndObject();
        }, CancellationToken.None);

        var bytes = body.ToArray();
        Assert.Equal(bytes.Length, context.Response.ContentLength);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("""{"message":"model 'x' not found"}""", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(1, body.Flushes);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(20_000)]
    [InlineData(300_000)]
    public async Task SendAsync_BodyAcrossPoolBlocks_SendsEveryByteInOrder(int count)
    {
        var (context, body) = NewContext();
        var values = Enumerable.Range(0, count).ToArray();

        await JsonBody.SendAsync(context.Response, values, JsonBodyTestsContext.Default.Int32Array, CancellationToken.None);

        var bytes = body.ToArray();
        Assert.Equal(bytes.Length, context.Response.ContentLength);
        Assert.Equal(values, JsonSerializer.Deserialize(bytes, JsonBodyTestsContext.Default.Int32Array));
        var expectedFlushes = 1 + (bytes.Length / JsonBody.FlushThreshold);
        Assert.InRange(body.Flushes, 1, expectedFlushes);
    }

    [Fact]
    public async Task Result_ExecuteAsync_SetsStatusAndLength()
    {
        var (context, body) = NewContext();

        await JsonBody.Result(new[] { 1, 2, 3 }, JsonBodyTestsContext.Default.Int32Array, StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("[1,2,3]"u8.ToArray(), body.ToArray());
        Assert.Equal(7, context.Response.ContentLength);
    }

    [Fact]
    public void Result_WithOptions_ExposesValueAndStatus()
    {
        var result = JsonBody.Result(new[] { 4 }, JsonBodyTestsContext.Default.Options, StatusCodes.Status201Created);

        Assert.Equal(201, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
        Assert.Equal(new[] { 4 }, Assert.IsAssignableFrom<IValueHttpResult>(result).Value);
    }

    private static (DefaultHttpContext Context, CountingStream Body) NewContext()
    {
        var context = new DefaultHttpContext();
        var body = new CountingStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        return (context, body);
    }

    /// <summary>A memory stream that counts flushes, as the response body a balancer sees.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Flushes { get; private set; }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return base.FlushAsync(cancellationToken);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
internal sealed partial class JsonBodyTestsContext : System.Text.Json.Serialization.JsonSerializerContext;
