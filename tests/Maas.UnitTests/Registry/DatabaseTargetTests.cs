using Maas.Tests.Shared;
using Maas.Registry;
using Maas.Registry.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Registry;

public sealed class DatabaseTargetTests
{
    [Theory]
    [InlineData("Host=db;Username=maas;Database=maas", true)]
    [InlineData("server=db; database=maas", true)]
    [InlineData("postgres://maas@db/maas", true)]
    [InlineData("postgresql://db:5433/maas", true)]
    [InlineData("registry.db", false)]
    [InlineData("/var/lib/maas/registry.db", false)]
    [InlineData("data/a=b.db", false)]
    [InlineData(null, false)]
    public void IsPostgres_Setting_TellsConnectionStringsFromPaths(string? setting, bool expected) =>
        Assert.Equal(expected, DatabaseTarget.IsPostgres(setting));

    [Fact]
    public void ToConnectionString_Url_BecomesKeywords()
    {
        var builder = DatabaseTarget.ToConnectionString("postgres://maas:s%40cret@db.internal:5433/registry?sslmode=require&Maximum%20Pool%20Size=7");

        Assert.Equal(("db.internal", 5433, "maas", "s@cret", "registry"), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal(7, builder.MaxPoolSize);
    }

    [Fact]
    public void AddMaasRegistry_PostgresConnectionString_UsesPostgresWithBoundedPool()
    {
        using var provider = new ServiceCollection()
            .AddMaasRegistry(o => (o.DataDirectory, o.Database) = (RegistryTestHost.NewDataDirectory(), "Host=db.internal;Username=maas;Password=pw;Database=registry"))
            .BuildServiceProvider();

        var database = Assert.IsType<PostgresMetadataDatabase>(provider.GetRequiredService<IMetadataDatabase>());

        Assert.Equal("postgresql://maas@db.internal:5432/registry", database.Location);
        Assert.Equal(PostgresMetadataDatabase.DefaultMaxPoolSize, database.MaxPoolSize);
        Assert.True(database.IsShared);
        Assert.Contains("Password=pw", database.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMaasRegistry_PoolSizeInConnectionString_IsKept()
    {
        using var provider = new ServiceCollection()
            .AddMaasRegistry(o => (o.DataDirectory, o.Database) = (RegistryTestHost.NewDataDirectory(), "Host=db;Username=maas;Maximum Pool Size=5"))
            .BuildServiceProvider();

        Assert.Equal(5, Assert.IsType<PostgresMetadataDatabase>(provider.GetRequiredService<IMetadataDatabase>()).MaxPoolSize);
    }

    [Fact]
    public void AddMaasRegistry_DatabaseIsAPath_UsesThatSqliteFile()
    {
        var data = RegistryTestHost.NewDataDirectory();
        using var provider = new ServiceCollection().AddMaasRegistry(o => (o.DataDirectory, o.Database) = (data, "meta/other.db")).BuildServiceProvider();

        var database = Assert.IsType<SqliteMetadataDatabase>(provider.GetRequiredService<IMetadataDatabase>());

        Assert.Equal(Path.Combine(Path.GetFullPath(data), "meta", "other.db"), database.Location);
        Assert.False(database.IsShared);
    }

    [Fact]
    public void AddMaasRegistry_BadPostgresKeyword_FailsValidationWithoutTheValue()
    {
        using var provider = new ServiceCollection()
            .AddMaasRegistry(o => o.Database = "Host=db;Username=maas;Password=hunter2;Colour=blue")
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryOptions>>().Value);

        Assert.Contains("not a valid PostgreSQL connection string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_PostgresUnreachable_FailsWithTheDatabaseAndReasonButNoPassword()
    {
        var port = FreePorts.Next();
        var data = RegistryTestHost.NewDataDirectory();
        await using var provider = new ServiceCollection()
            .AddMaasRegistry(o => (o.DataDirectory, o.Database) = (data, $"Host=127.0.0.1;Port={port};Username=maas;Password=hunter2;Database=registry;Timeout=3"))
            .BuildServiceProvider();
        try
        {
            var registry = provider.GetRequiredService<ModelRegistry>();

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.InitializeAsync());

            Assert.Contains($"Cannot connect to the registry's PostgreSQL database postgresql://maas@127.0.0.1:{port}/registry", error.Message, StringComparison.Ordinal);
            Assert.Contains("Maas:Registry:Database", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
        }
    }
}
