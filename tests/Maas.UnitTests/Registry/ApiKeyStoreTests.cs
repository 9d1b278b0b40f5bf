using Maas.Tests.Shared;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class ApiKeyStoreTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : ApiKeyStoreTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : ApiKeyStoreTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : ApiKeyStoreTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : ApiKeyStoreTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task CreateRevoke_Key_StoredRevokedAndAuditedWithAddress()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var store = host.Services.GetRequiredService<IApiKeyStore>();
        var audit = host.Services.GetRequiredService<IAuditTrail>();
        var now = DateTimeOffset.UtcNow;
        var key = new ApiKeyRecord("00000000000000ab", "ci", "inference", ["team-a-*", "minilm"], "c2FsdA==", "aGFzaA==", "maas_00000000000000ab_…", now, "admin#x")
        {
            RequestsPerSecond = 2.5,
            TokensPerMinute = 600,
        };

        AuditScope.Address = "192.0.2.7";
        await store.CreateAsync(key);
        var found = await store.FindAsync(key.Id);
        var activeBefore = await store.HasActiveKeyAsync("inference", now);
        var revoked = await store.RevokeAsync(key.Id, "admin#x");
        AuditScope.Address = null;
        var activeAfter = await store.HasActiveKeyAsync("inference", now);
        var entries = await audit.QueryAsync(new AuditQuery(Actor: "admin"));

        Assert.Equal(key.ModelPatterns, found!.ModelPatterns);
        Assert.Equal((2.5, 600), (found.RequestsPerSecond!.Value, found.TokensPerMinute!.Value));
        Assert.True(activeBefore);
        Assert.NotNull(revoked.RevokedAt);
        Assert.False(activeAfter);
        Assert.Equal(["key.revoke", "key.create"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("192.0.2.7", e.Address));
        await Assert.ThrowsAsync<MaasException>(() => store.CreateAsync(key));
    }

    [Fact]
    public async Task QueryAsync_Filters_ActionAndSince()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var audit = host.Services.GetRequiredService<IAuditTrail>();
        await audit.WriteAsync("unauthenticated", "auth.failure", "-", "GET /api/models: no credentials", "10.0.0.1");
        await audit.WriteAsync("bob#1", "push", "m", "x");

        var failures = await audit.QueryAsync(new AuditQuery(Action: "auth.failure"));
        var bob = await audit.QueryAsync(new AuditQuery(Actor: "bob"));
        var future = await audit.QueryAsync(new AuditQuery(Since: DateTimeOffset.UtcNow.AddHours(1)));

        Assert.Equal("10.0.0.1", Assert.Single(failures).Address);
        Assert.Equal("push", Assert.Single(bob).Action);
        Assert.Empty(future);
    }
}
