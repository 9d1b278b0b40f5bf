using Maas.Cli.Client;

namespace Maas.UnitTests.Cli;

public sealed class ApiErrorReaderTests
{
    [Theory]
    [InlineData("""{"type":"about:blank","title":"Not Found","status":404,"detail":"model 'x' not found"}""", "model 'x' not found")]
    [InlineData("""{"title":"Conflict","status":409}""", "Conflict")]
    [InlineData("""{"error":"input must be a string"}""", "input must be a string")]
    [InlineData("""{"error":{"message":"context too long","type":"invalid_request_error"}}""", "context too long")]
    [InlineData("<html>Bad Gateway</html>", "<html>Bad Gateway</html>")]
    public void FromBody_ErrorBody_ReturnsServersMessage(string body, string expected)
    {
        Assert.Equal(expected, ApiErrorReader.FromBody(body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    public void FromBody_NoMessage_ReturnsNull(string body)
    {
        Assert.Null(ApiErrorReader.FromBody(body));
    }

    [Fact]
    public async Task ReadMessage_EmptyBody_FallsBackToStatusLine()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway) { Content = new StringContent(string.Empty) };

        Assert.Equal("502 Bad Gateway", await ApiErrorReader.ReadMessageAsync(response));
    }
}
