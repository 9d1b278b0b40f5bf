using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Registry.Metadata;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class AliasAndResolveTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : AliasAndResolveTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : AliasAndResolveTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : AliasAndResolveTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : AliasAndResolveTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task ResolveAsync_NoAliases_ReturnsLatest()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2");

        var resolved = await host.Registry.ResolveAsync(ModelReference.Parse("bert"));

        Assert.Equal(2, resolved.Version);
        Assert.Equal("bert:2", resolved.Key);
    }

    [Fact]
    public async Task ResolveAsync_ProductionAliasSet_ReturnsProductionOverLatest()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2");
        await host.Registry.SetAliasAsync("bert", "production", 1, "alice");

        var resolved = await host.Registry.ResolveAsync(ModelReference.Parse("bert"));

        Assert.Equal(1, resolved.Version);
    }

    [Fact]
    public async Task ResolveAsync_ExplicitVersionAndAlias_ReturnThoseVersions()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2", alias: "production");
        await host.PushAsync("bert", "v3");
        await host.Registry.SetAliasAsync("bert", "staging", 3, "alice");

        Assert.Equal(1, (await host.Registry.ResolveAsync(ModelReference.Parse("bert:1"))).Version);
        Assert.Equal(3, (await host.Registry.ResolveAsync(ModelReference.Parse("bert@staging"))).Version);
        Assert.Equal(2, (await host.Registry.ResolveAsync(ModelReference.Parse("bert@production"))).Version);
    }

    [Fact]
    public async Task ResolveAsync_Missing_ThrowsNotFoundNamingWhatIsMissing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var model = await Assert.ThrowsAsync<MaasException>(() => host.Registry.ResolveAsync(ModelReference.Parse("gpt")));
        var version = await Assert.ThrowsAsync<MaasException>(() => host.Registry.ResolveAsync(ModelReference.Parse("bert:7")));
        var alias = await Assert.ThrowsAsync<MaasException>(() => host.Registry.ResolveAsync(ModelReference.Parse("bert@staging")));

        Assert.All([model, version, alias], e => Assert.Equal(MaasErrorKind.NotFound, e.Kind));
        Assert.Equal("model 'gpt' not found", model.Message);
        Assert.Equal("model 'bert' has no version 7", version.Message);
        Assert.Equal("model 'bert' has no alias 'staging'", alias.Message);
    }

    [Fact]
    public async Task ResolveDefaultsAsync_SeveralModels_EachAsResolveAsyncResolvesItsName()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "b1");
        await host.PushAsync("bert", "b2");
        await host.Registry.SetAliasAsync("bert", "production", 1, "alice");
        await host.PushAsync("gpt", "g1");
        await host.PushAsync("gpt", "g2", alias: "staging");
        await host.PushAsync("gpt", "g3");
        await host.Registry.PushAsync(new PushRequest
        {
            Model = "gpt-int8",
            Files = [RegistryTestHost.File("model.onnx", "q1"), RegistryTestHost.File("vocab.txt", "words")],
            Lineage = new Lineage([new LineageParent("gpt", 3, "source"), new LineageParent("bert", 2, "teacher")], "distill", new Dictionary<string, string> { ["bits"] = "8" }),
        });
        await host.PushAsync("gone", "x1");
        await host.Registry.DeleteVersionAsync("gone", 1, force: false, "alice");

        var defaults = await host.Registry.ResolveDefaultsAsync();

        Assert.Equal(["bert", "gpt", "gpt-int8"], defaults.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1, 3, 1], new[] { "bert", "gpt", "gpt-int8" }.Select(m => defaults[m].Version));
        foreach (var name in defaults.Keys)
        {
            Assert.Equivalent(await host.Registry.ResolveAsync(new ModelReference(name)), defaults[name], strict: true);
        }

        Assert.Equal(["model.onnx", "vocab.txt"], defaults["gpt-int8"].Files.Select(f => f.Name));
        Assert.Equal([("gpt", 3, "source"), ("bert", 2, "teacher")], defaults["gpt-int8"].Lineage!.Parents.Select(p => (p.Model, p.Version, p.Role)));
    }

    [Fact]
    public async Task FilesAndParentsOfVersionsAsync_IdsSpanningSeveralStatements_ReturnEveryVersionsRows()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "b1");
        await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert-int8",
            Files = [RegistryTestHost.File("model.onnx", "q1")],
            Lineage = Lineage.From("bert", 1, "quantize", new Dictionary<string, string>()),
        });
        var session = await DbSession.OpenAsync(host.Services.GetRequiredService<IMetadataDatabase>(), CancellationToken.None);
        await using (session)
        {
            var ids = await session.QueryAsync("SELECT id FROM versions ORDER BY id", r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), CancellationToken.None);
            Assert.Equal(2, ids.Count);

            // Unknown ids around them, so the two real ones land in the first and the third statement.
            var requested = Enumerable.Range(1, 1200).Select(i => -(long)i).ToList();
            requested.Insert(0, ids[0]);
            requested.Add(ids[1]);
            var files = await RegistryQueries.FilesOfVersionsAsync(session, requested, CancellationToken.None);
            var parents = await RegistryQueries.ParentsOfVersionsAsync(session, requested, CancellationToken.None);

            Assert.Equal(ids, files.Select(f => f.VersionId).Order());
            var parent = Assert.Single(parents);
            Assert.Equal((ids[1], "bert", 1), (parent.VersionId, parent.Parent.Model, parent.Parent.Version));
        }
    }

    [Fact]
    public async Task ResolveDefaultsAsync_EmptyRegistry_ReturnsNothing()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        Assert.Empty(await host.Registry.ResolveDefaultsAsync());
    }

    [Fact]
    public async Task SetAliasAsync_ExistingAlias_MovesIt()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1");
        await host.PushAsync("bert", "v2");
        await host.Registry.SetAliasAsync("bert", "staging", 1, "alice");

        await host.Registry.SetAliasAsync("bert", "staging", 2, "alice");

        Assert.Equal(2, (await host.Registry.ResolveAsync(ModelReference.Parse("bert@staging"))).Version);
        var summary = (await host.Registry.GetModelAsync("bert"))!.Summary;
        Assert.Equal(2, Assert.Single(summary.Aliases).Value);
    }

    [Fact]
    public async Task SetAliasAsync_MissingVersion_ThrowsNotFound()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.SetAliasAsync("bert", "staging", 5, "alice"));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
        Assert.Equal("model 'bert' has no version 5", error.Message);
    }

    [Fact]
    public async Task SetAliasAsync_InvalidAlias_ThrowsInvalidArgument()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.SetAliasAsync("bert", "a/b", 1, "alice"));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task RemoveAliasAsync_Existing_RemovesIt()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert", "v1", alias: "production");
        await host.PushAsync("bert", "v2");

        await host.Registry.RemoveAliasAsync("bert", "production", "alice");

        Assert.Empty((await host.Registry.GetModelAsync("bert"))!.Summary.Aliases);
        Assert.Equal(2, (await host.Registry.ResolveAsync(ModelReference.Parse("bert"))).Version);
    }

    [Fact]
    public async Task RemoveAliasAsync_Absent_ThrowsNotFound()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.RemoveAliasAsync("bert", "staging", "alice"));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
        Assert.Equal("model 'bert' has no alias 'staging'", error.Message);
    }

    [Fact]
    public async Task GetModelAsync_UnknownModel_ReturnsNull()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        Assert.Null(await host.Registry.GetModelAsync("nothing-here"));
    }

    [Fact]
    public async Task UpdateModelAsync_DescriptionOnly_KeepsTags()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);
        await host.PushAsync("bert");
        await host.Registry.UpdateModelAsync("bert", null, new Dictionary<string, string> { ["team"] = "search" }, "alice");

        await host.Registry.UpdateModelAsync("bert", "encoder", null, "alice");

        var summary = (await host.Registry.GetModelAsync("bert"))!.Summary;
        Assert.Equal("encoder", summary.Description);
        Assert.Equal("search", summary.Tags["team"]);
    }

    [Fact]
    public async Task UpdateModelAsync_UnknownModel_ThrowsNotFound()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<MaasException>(() => host.Registry.UpdateModelAsync("ghost", "x", null, "alice"));

        Assert.Equal(MaasErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task GetArtifactPath_InvalidOrUnknownDigest_Throws()
    {
        await using var host = await RegistryTestHost.CreateAsync(backend);

        var invalid = await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetArtifactPathAsync("../../etc/passwd"));
        var upper = await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetArtifactPathAsync(new string('A', 64)));
        var unknown = await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetArtifactPathAsync(new string('a', 64)));

        Assert.Equal(MaasErrorKind.InvalidArgument, invalid.Kind);
        Assert.Equal(MaasErrorKind.InvalidArgument, upper.Kind);
        Assert.Equal(MaasErrorKind.NotFound, unknown.Kind);
    }
}
