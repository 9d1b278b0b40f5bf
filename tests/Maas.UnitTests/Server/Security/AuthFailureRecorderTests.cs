using Maas.Registry.Abstractions;
using Maas.Server.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Server.Security;

public sealed class AuthFailureRecorderTests
{
    [Fact]
    public async Task RecordAsync_FloodFromOneAddress_OneRecordPerIntervalCountingTheRest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var audit = new RecordingAudit();
        var recorder = new AuthFailureRecorder(audit, Options.Create(new AuthOptions { FailureAuditIntervalSeconds = 60 }), time, NullLogger<AuthFailureRecorder>.Instance);

        for (var i = 0; i < 5; i++)
        {
            await recorder.RecordAsync("unauthenticated", "GET", "/api/models", "10.0.0.1", "no credentials", CancellationToken.None);
        }

        await recorder.RecordAsync("unauthenticated", "GET", "/api/models", "10.0.0.2", "no credentials", CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(61));
        await recorder.RecordAsync("unauthenticated", "POST", "/v1/embeddings", "10.0.0.1", "unknown API key 00", CancellationToken.None);

        Assert.Equal(
            [
                ("10.0.0.1", "GET /api/models: no credentials"),
                ("10.0.0.2", "GET /api/models: no credentials"),
                ("10.0.0.1", "POST /v1/embeddings: unknown API key 00 (+4 earlier failures from this address not recorded)"),
            ],
            audit.Records);
    }

    private sealed class RecordingAudit : IAuditTrail
    {
        public List<(string Address, string Detail)> Records { get; } = [];

        public Task WriteAsync(string actor, string action, string model, string? detail, string? address = null, CancellationToken cancellationToken = default)
        {
            Assert.Equal(AuthFailureRecorder.Action, action);
            Records.Add((address!, detail!));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
