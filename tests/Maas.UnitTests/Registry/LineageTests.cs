using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class LineageTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : LineageTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : LineageTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : LineageTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : LineageTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task PushAsync_TwoParentsWithRolesJobAndReport_RoundTripThroughStore()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("base", "base weights");
        await host.PushAsync("adapter", "adapter weights");
        var lineage = new Lineage(
            [new LineageParent("base", 1, "base"), new LineageParent("adapter", 1, "adapter")],
            "merge",
            new Dictionary<string, string> { ["weight"] = "0.5" }) { JobId = "01jobid0000001" };

        var pushed = await host.Registry.PushAsync(new PushRequest
        {
            Model = "merged",
            Files = [RegistryTestHost.File("model.onnx", "merged weights")],
            Lineage = lineage,
            Report = Report("merge", "base:1"),
        });

        var resolved = await host.Registry.ResolveAsync(new ModelReference("merged"));
        var listed = Assert.Single((await host.Registry.GetModelAsync("merged"))!.Versions);
        foreach (var version in new[] { pushed, resolved, listed })
        {
            Assert.NotNull(version.Lineage);
            Assert.Equal(lineage.Parents, version.Lineage.Parents);
            Assert.Equal(("merge", "01jobid0000001"), (version.Lineage.Transform, version.Lineage.JobId));
            Assert.Equal("0.5", version.Lineage.Parameters["weight"]);
            Assert.NotNull(version.Report);
            Assert.Equal(1000, version.Report.ArtifactBytes);
            Assert.Equal(2.5, Assert.Single(version.Report.Throughput, t => t.BatchSize == 32).Ratio, 6);
            Assert.Equal(("cosine", 0.995), (version.Report.Accuracy!.Metric, version.Report.Accuracy.Mean));
            Assert.Equal(["one node skipped"], version.Report.Notes);
        }

        Assert.Null((await host.Registry.ResolveAsync(new ModelReference("base"))).Report);
        var audit = await host.Registry.ReadAuditAsync("merged", 10);
        Assert.Contains("from base:1, adapter:1 by merge", Assert.Single(audit).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("base", 2)]
    [InlineData("missing", 1)]
    public async Task PushAsync_LineageParentDoesNotExist_RefusedAndNothingStored(string parentModel, int parentVersion)
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("base", "base weights");
        var blobsBefore = (await host.StoredBlobsAsync()).Count;

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(new PushRequest
        {
            Model = "derived",
            Files = [RegistryTestHost.File("model.onnx", "derived weights")],
            Lineage = Lineage.From(parentModel, parentVersion, "quantize", new Dictionary<string, string>()),
            Report = Report("quantize dynamic-int8", $"{parentModel}:{parentVersion}"),
            Alias = "int8",
        }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"{parentModel}:{parentVersion} does not exist", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Registry.GetModelAsync("derived"));
        Assert.Equal(blobsBefore, (await host.StoredBlobsAsync()).Count);
        Assert.Empty(await host.Registry.ReadAuditAsync("derived", 10));
    }

    [Fact]
    public async Task PushAsync_SameParentTwice_Refused()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("base");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(new PushRequest
        {
            Model = "merged",
            Files = [RegistryTestHost.File("model.onnx", "x")],
            Lineage = new Lineage([new LineageParent("base", 1, "base"), new LineageParent("base", 1, "adapter")], "merge", new Dictionary<string, string>()),
        }));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task GetLineageAsync_ChainAcrossModels_ListsVersionsAndTheirAncestors()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("teacher", "t1");
        await host.PushAsync("student", "s1");
        await PushDerivedAsync(host, "student", "s2", Lineage.From("student", 1, "quantize", new Dictionary<string, string> { ["method"] = "fp16" }));
        await PushDerivedAsync(host, "student", "s3", new Lineage(
            [new LineageParent("student", 2, "base"), new LineageParent("teacher", 1, "adapter")], "merge", new Dictionary<string, string>()));
        await host.PushAsync("unrelated", "u1");

        var graph = await host.Registry.GetLineageAsync("student");

        Assert.Equal("student", graph.Model);
        Assert.Equal(["student:3", "student:2", "student:1", "teacher:1"], graph.Nodes.Select(n => n.Key));
        Assert.All(graph.Nodes, n => Assert.True(n.Exists));
        Assert.Equal(["student:2", "teacher:1"], graph.Nodes[0].Lineage!.Parents.Select(p => $"{p.Model}:{p.Version}"));
        Assert.Equal("fp16", graph.Nodes[1].Lineage!.Parameters["method"]);
        Assert.Null(graph.Nodes[2].Lineage);
        await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetLineageAsync("nobody"));
    }

    [Fact]
    public async Task GetLineageAsync_ParentDeletedLater_ShownAsMissing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("teacher", "t1");
        await PushDerivedAsync(host, "student", "s1", Lineage.From("teacher", 1, "distill", new Dictionary<string, string>()));
        await host.Registry.DeleteVersionAsync("teacher", 1, force: false, "tester");

        var graph = await host.Registry.GetLineageAsync("student");

        Assert.Equal([("student:1", true), ("teacher:1", false)], graph.Nodes.Select(n => (n.Key, n.Exists)));
    }

    [Fact]
    public async Task DeleteVersionAsync_DerivedVersion_RemovesItsParentRows()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("base");
        await PushDerivedAsync(host, "base", "int8", Lineage.From("base", 1, "quantize", new Dictionary<string, string>()));

        await host.Registry.DeleteVersionAsync("base", 2, force: false, "tester");

        Assert.Equal([1], (await host.Registry.GetModelAsync("base"))!.Versions.Select(v => v.Version));
        var session = await DbSession.OpenAsync(host.Services.GetRequiredService<IMetadataDatabase>(), CancellationToken.None);
        await using (session)
        {
            Assert.Equal(0L, Convert.ToInt64(await session.ScalarAsync("SELECT COUNT(*) FROM version_parents", CancellationToken.None), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Migration3_SingleParentRowsOfSchema2_BecomeLineageWithSourceRole()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        var database = host.Services.GetRequiredService<IMetadataDatabase>();
        await database.PrepareAsync(CancellationToken.None);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(RegistryMigrations.All.Where(m => m.Version <= 2).ToList(), CancellationToken.None);
        var manifest = RegistryJson.SerializeManifest(new ModelManifest());
        var session = await DbSession.BeginWriteAsync(database, CancellationToken.None);
        await using (session)
        {
            await session.ExecuteAsync("INSERT INTO models (name, description, tags, created_at) VALUES ('bert', NULL, '{}', '2026-01-01T00:00:00.0000000Z')", CancellationToken.None);
            foreach (var (number, parent, transform) in new[] { (1, "NULL", "NULL"), (2, "'bert'", "'quantize'") })
            {
                await session.ExecuteAsync(
                    "INSERT INTO versions (model_id, number, manifest, created_at, created_by, parent_model, parent_version, transform, transform_params) " +
                    $"VALUES (1, {number}, @manifest, '2026-01-01T00:00:00.0000000Z', 'old', {parent}, {(number == 2 ? "1" : "NULL")}, {transform}, " +
                    $"{(number == 2 ? "'{\"mode\":\"int8\"}'" : "NULL")})",
                    CancellationToken.None,
                    ("@manifest", manifest));
            }

            await session.CommitAsync(CancellationToken.None);
        }

        await host.Registry.InitializeAsync();

        var versions = (await host.Registry.GetModelAsync("bert"))!.Versions;
        Assert.Null(versions.Single(v => v.Version == 1).Lineage);
        var lineage = versions.Single(v => v.Version == 2).Lineage;
        Assert.NotNull(lineage);
        Assert.Equal(new LineageParent("bert", 1, LineageParent.SourceRole), Assert.Single(lineage.Parents));
        Assert.Equal(("quantize", "int8", (string?)null), (lineage.Transform, lineage.Parameters["mode"], lineage.JobId));
    }

    internal static VersionReport Report(string transform, string parent) => new()
    {
        Transform = transform,
        Parent = parent,
        ArtifactBytes = 1000,
        ParentArtifactBytes = 4000,
        Throughput = [new ThroughputComparison(1, 100, 160), new ThroughputComparison(32, 400, 1000)],
        Accuracy = new AccuracyComparison("cosine", 0.995, 0.981, 64, "generated"),
        Machine = "2 cores",
        MeasuredAt = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero),
        Notes = ["one node skipped"],
    };

    private static Task<ModelVersionInfo> PushDerivedAsync(RegistryTestHost host, string model, string content, Lineage lineage) =>
        host.Registry.PushAsync(new PushRequest { Model = model, Files = [RegistryTestHost.File("model.onnx", content)], Lineage = lineage });
}
