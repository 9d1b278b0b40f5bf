using Maas.Server.Http;

namespace Maas.UnitTests.Server.Limits;

public sealed class ServerLimitsOptionsTests
{
    [Fact]
    public void Problem_Defaults_None()
    {
        Assert.Null(new ServerLimitsOptions().Problem());
    }

    [Theory]
    [InlineData(nameof(ServerLimitsOptions.MaxJsonDepth), 0, "MaxJsonDepth")]
    [InlineData(nameof(ServerLimitsOptions.MaxJsonDepth), 65, "MaxJsonDepth")]
    [InlineData(nameof(ServerLimitsOptions.MaxStringLength), 0, "string and token")]
    [InlineData(nameof(ServerLimitsOptions.MaxCompletionTokens), -1, "string and token")]
    [InlineData(nameof(ServerLimitsOptions.MaxRequestHeaderCount), 0, "header")]
    [InlineData(nameof(ServerLimitsOptions.RequestTimeoutSeconds), -1, "timeouts")]
    [InlineData(nameof(ServerLimitsOptions.RequestsPerSecond), -1, "RequestsPerSecond")]
    public void Problem_BadValue_NamesIt(string property, double value, string expected)
    {
        var options = new ServerLimitsOptions();
        var info = typeof(ServerLimitsOptions).GetProperty(property)!;
        info.SetValue(options, Convert.ChangeType(value, info.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Contains(expected, options.Problem(), StringComparison.Ordinal);
    }
}
