using System.Text.Json;
using Maas.Core.Errors;
using Maas.Server.Http;

namespace Maas.UnitTests.Server.Limits;

/// <summary>Found by the fuzz test: a JSON string with invalid UTF-8 fails only when it is read, and was a 500.</summary>
public sealed class InvalidUtf8MappingTests
{
    [Fact]
    public void Classify_InvalidUtf8InJsonString_InvalidArgument()
    {
        byte[] json = [.. "{\"datatype\": \"FP32"u8, 0xC3, 0x28, .. "\"}"u8];
        using var document = JsonDocument.Parse(json);
        var error = Assert.Throws<InvalidOperationException>(() => document.RootElement.GetProperty("datatype").GetString());

        var (kind, message) = ErrorMapping.Classify(error);

        Assert.Equal(MaasErrorKind.InvalidArgument, kind);
        Assert.Contains("UTF-8", message, StringComparison.Ordinal);
        Assert.Equal(400, ErrorHandlingMiddleware.Describe(error).Status);
    }
}
