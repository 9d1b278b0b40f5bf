using System.Net;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Tests.Shared;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>Real servers with their registry in PostgreSQL, chosen by <c>Maas:Registry:Database</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Serve_TwoServersOnOnePostgresDatabase_EachServesTheOthersPushes()
    {
        var database = cluster.CreateDatabase();
        var data = TempFolder.Create("maas-e2e-pg");
        try
        {
            // Two replicas: one database, one artifact folder (each server's own cache and spool live under it too).
            string[] settings = [$"Maas:Registry:Database={database}"];
            await using var first = await MaasTestServer.StartAsync(settings: settings, dataDirectory: data);
            Assert.Equal(1, await first.PushAsync("adder", AddModel.Files(1), alias: "production"));
            await using var second = await MaasTestServer.StartAsync(settings: settings, dataDirectory: data);

            var (status, output, body) = await AddModel.InferAsync(second.Client, "/v2/models/adder/infer");
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal(AddModel.Expected(1), output);

            Assert.Equal(2, await second.PushAsync("adder", AddModel.Files(2)));
            Assert.Equal(3, await first.PushAsync("adder", AddModel.Files(3)));
            Assert.Equal(AddModel.Expected(2), (await AddModel.InferAsync(first.Client, "/v2/models/adder/versions/2/infer")).Output);
            Assert.Equal(AddModel.Expected(3), (await AddModel.InferAsync(second.Client, "/v2/models/adder/versions/3/infer")).Output);

            // The metadata went to PostgreSQL: no SQLite file in the data folder.
            Assert.False(File.Exists(Path.Combine(data, "registry.db")));
        }
        finally
        {
            TempFolder.Delete(data);
            cluster.DropDatabase(database);
        }
    }
}
