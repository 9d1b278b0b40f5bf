using Maas.Server.Metrics;

namespace Maas.UnitTests.Server.Metrics;

/// <summary>The outcome tag of request metrics for each status a client can get.</summary>
public sealed class RequestOutcomeTests
{
    [Theory]
    [InlineData(200, "ok")]
    [InlineData(204, "ok")]
    [InlineData(400, "invalid")]
    [InlineData(413, "invalid")]
    [InlineData(404, "not_found")]
    [InlineData(429, "rejected")]
    [InlineData(499, "cancelled")]
    [InlineData(500, "error")]
    [InlineData(503, "unavailable")]
    [InlineData(504, "timeout")]
    public void From_Status_MapsToOutcome(int status, string expected) => Assert.Equal(expected, RequestOutcome.From(status));

    [Theory]
    [InlineData(true, "cancelled")]
    [InlineData(false, "error")]
    public void FromFailure_AbortedOrNot_MapsToOutcome(bool aborted, string expected) => Assert.Equal(expected, RequestOutcome.FromFailure(aborted));
}
