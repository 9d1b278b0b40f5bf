using System.Net;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Registry;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.EndToEnd.Tests.Registry;

/// <summary>What a server restarted after a killed push must show, whichever artifact store it uses (KilledPushTests on
/// the folder store, S3KilledPushTests on S3): only whole, committed versions; no referenced blob missing and no orphan
/// blob; nothing left in staging or the upload spool; and the next push numbered after the survivors.</summary>
internal static class KilledPushCheck
{
    /// <param name="server">The restarted server over the killed one's data folder and store.</param>
    /// <param name="store">The artifact store the killed server wrote to.</param>
    /// <param name="expected">The versions the killed server had committed, when the test read them; null to skip.</param>
    /// <param name="model">A model whose version 1 was committed before the kill (the next push goes there).</param>
    /// <returns>The versions (<c>model:version</c>) the restarted server lists.</returns>
    public static async Task<List<string>> AssertConsistentAsync(MaasTestServer server, ArtifactStoreProbe store, IReadOnlyList<string>? expected, string model)
    {
        var registry = server.App.Services.GetRequiredService<ModelRegistry>();
        var report = await registry.CheckConsistencyAsync(repair: false);
        Assert.True(report.IsConsistent, $"{store}: missing: {string.Join(", ", report.MissingBlobs)}; unreferenced: {string.Join(", ", report.UnreferencedBlobs)}");
        Assert.Empty(store.StagingEntries());
        Assert.Empty(AddModel.EntriesIn(server.DataDirectory, "uploads"));

        var versions = await ListVersionsAsync(server.Client);
        if (expected is not null)
        {
            Assert.Equal(expected, versions);
        }

        Assert.Contains($"{model}:1", versions);
        foreach (var key in versions)
        {
            // Every version that survived is whole: its model loads and answers.
            var (status, values, body) = await AddModel.InferAsync(server.Client, $"/v2/models/{key}/infer");
            Assert.True(status == HttpStatusCode.OK, $"{key}: {(int)status} {body}");
            Assert.Equal(3, values.Length);
        }

        // Looked at from outside the registry too: the store holds exactly the surviving versions' blobs.
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var summary in await registry.ListModelsAsync())
        {
            foreach (var version in (await registry.GetModelAsync(summary.Name))!.Versions)
            {
                referenced.UnionWith(version.Files.Select(f => f.Sha256));
            }
        }

        Assert.Equal(referenced, await store.BlobsAsync());

        // The restarted registry takes pushes again, numbered after the highest surviving version.
        var highest = versions.Where(v => v.StartsWith(model + ":", StringComparison.Ordinal)).Max(v => int.Parse(v[(model.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(highest + 1, await server.PushAsync(model, AddModel.Files(99)));
        return versions;
    }

    /// <summary>Every version a server lists, as sorted <c>model:version</c> keys.</summary>
    public static async Task<List<string>> ListVersionsAsync(HttpClient client)
    {
        var keys = new List<string>();
        foreach (var entry in (await AddModel.ListModelsAsync(client)).EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            var (_, details) = await Json.GetAsync(client, $"/api/models/{name}");
            keys.AddRange(details.GetProperty("versions").EnumerateArray().Select(v => $"{name}:{v.GetProperty("version").GetInt32()}"));
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }
}
