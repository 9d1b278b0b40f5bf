using Maas.Tests.Shared;
using Xunit.Abstractions;
using static Maas.EndToEnd.Tests.Scale.ClusterClient;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Three replicas sharing one registry behind nginx: pushes and alias moves reach every replica through the
/// change feed, a swap under load and a SIGKILLed replica cost no request, and a restarted replica converges. The same
/// tests run on each backend (one subclass each): SQLite + folder shared through one data folder, and PostgreSQL + S3
/// with a data folder (cache) per replica.</summary>
public abstract class MultiReplicaTests(MultiReplicaCluster cluster, ITestOutputHelper output) : IClassFixture<MultiReplicaCluster>, IAsyncLifetime
{
    private const int Clients = 4;
    private static readonly TimeSpan AliasBound = TimeSpan.FromSeconds(5);

    /// <summary>The replicas and the balancer of this class.</summary>
    protected MultiReplicaCluster Cluster => cluster;

    /// <summary>The backend's name in the figures written to the test output.</summary>
    protected abstract string Backend { get; }

    /// <summary>Whether the SIGKILLed replica may be restarted while the others keep pushing: only when blob pins are
    /// held in the shared database, so its start-up clean-up cannot delete what another replica is writing.</summary>
    protected abstract bool RestartDuringPushes { get; }

    public Task InitializeAsync() => cluster.StartOnceAsync(CreateDataAsync);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The shared and per-replica state of this backend.</summary>
    protected abstract Task<ReplicaData> CreateDataAsync();

    [Fact]
    public async Task PushAliasMoveAndSwap_OneReplica_EveryReplicaFollows()
    {
        const string model = "scaled-adder";
        Assert.Equal(1, await PushAsync(cluster.Replicas[0].Client, model, 1, alias: "production"));

        // A push through one replica is served by all (each also caches the route now).
        foreach (var replica in cluster.Replicas)
        {
            Assert.Equal((true, Output(1)), await InferAsync(replica.Client, model));
        }

        // An alias moved through another replica is seen by every replica within 5 s.
        Assert.Equal(2, await PushAsync(cluster.Balancer.Client, model, 2));
        await MoveAliasAsync(cluster.Replicas[1].Client, model, "production", 2);
        var waits = await Task.WhenAll(cluster.Replicas.Select(r => WaitForOutputAsync(r.Client, model, Output(2), TimeSpan.FromSeconds(30))));
        Assert.True(waits.All(w => w < AliasBound), $"alias move seen after {string.Join(", ", waits.Select(w => w.TotalMilliseconds))} ms\n{cluster.Logs()}");
        output.WriteLine($"[{Backend}] alias move seen by each replica after {string.Join(", ", waits.Select(w => $"{w.TotalMilliseconds:F0}"))} ms");

        // A version swap under continuous load through the balancer: no request fails.
        Assert.Equal(3, await PushAsync(cluster.Balancer.Client, model, 3));
        using var load = new LoadThroughBalancer(cluster.Balancer.Client, model, Clients);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await MoveAliasAsync(cluster.Balancer.Client, model, "production", 3);
        await Task.WhenAll(cluster.Replicas.Select(r => WaitForOutputAsync(r.Client, model, Output(3), TimeSpan.FromSeconds(30))));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var answers = await load.StopAsync();

        Assert.True(answers.Count > Clients * 4, $"only {answers.Count} requests ran");
        Assert.All(answers, a => Assert.True(a.Ok, $"request failed: {a.Output}"));
        Assert.All(answers, a => Assert.Contains(a.Output, new[] { Output(2), Output(3) }));
        Assert.Contains(answers, a => a.Output == Output(3));
        output.WriteLine($"[{Backend}] swap under load: {answers.Count} requests through nginx, {answers.Count(a => !a.Ok)} failed");
    }

    [Fact]
    public async Task ReplicaKilledUnderLoad_BalancerRoutesAround_NoAcknowledgedPushLost_RestartedReplicaConverges()
    {
        const string model = "survivor";
        const string pushed = "pushed-under-kill";
        Assert.Equal(1, await PushAsync(cluster.Balancer.Client, model, 1, alias: "production"));
        foreach (var replica in cluster.Replicas)
        {
            Assert.Equal((true, Output(1)), await InferAsync(replica.Client, model));
        }

        var victim = cluster.Replicas[^1];
        using var load = new LoadThroughBalancer(cluster.Balancer.Client, model, Clients);
        using var stopPushing = new CancellationTokenSource();
        var pusher = Task.Run(async () =>
        {
            var acknowledged = new List<(int Version, int Constant)>();
            for (var constant = 10; !stopPushing.IsCancellationRequested; constant++)
            {
                if (await PushAsync(cluster.Balancer.Client, pushed, constant) is { } version)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add((version, constant));
                    }
                }
            }

            return acknowledged;
        });

        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await victim.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        if (RestartDuringPushes)
        {
            // The restarted replica runs its start-up clean-up while the others are staging and committing pushes.
            await victim.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        await stopPushing.CancelAsync();
        var acknowledged = await pusher;
        var answers = await load.StopAsync();

        // The balancer routed around the dead replica: every request was answered, by version 1.
        Assert.True(answers.Count > Clients * 4, $"only {answers.Count} requests ran");
        Assert.All(answers, a => Assert.True(a.Ok, $"request failed: {a.Output}\n{cluster.Logs()}"));
        Assert.All(answers, a => Assert.Equal(Output(1), a.Output));

        // No acknowledged push is lost: every surviving replica lists each one.
        Assert.NotEmpty(acknowledged);
        var versions = acknowledged.Select(a => a.Version).ToList();
        foreach (var replica in cluster.Replicas.Take(cluster.Replicas.Count - 1))
        {
            var listed = await VersionsAsync(replica.Client, pushed);
            Assert.Empty(versions.Except(listed));
        }

        // The restarted replica (same port, same shared state, its own cache) converges: it lists every push and
        // serves each acknowledged version's own bytes (none deleted by a clean-up), serves the current alias target,
        // and follows the next change like the others.
        if (!RestartDuringPushes)
        {
            await victim.StartAsync();
        }

        Assert.Empty(versions.Except(await VersionsAsync(victim.Client, pushed)));
        foreach (var (version, constant) in acknowledged)
        {
            Assert.Equal((true, Output(constant)), await InferAsync(victim.Client, $"{pushed}/versions/{version}"));
        }

        Assert.Equal((true, Output(1)), await InferAsync(victim.Client, model));
        Assert.Equal(2, await PushAsync(cluster.Replicas[0].Client, model, 2));
        await MoveAliasAsync(cluster.Replicas[0].Client, model, "production", 2);
        var seenBy = await Task.WhenAll(cluster.Replicas.Select(r => WaitForOutputAsync(r.Client, model, Output(2), TimeSpan.FromSeconds(30))));
        var seen = seenBy[^1];
        Assert.True(seenBy.All(w => w < AliasBound), $"alias move seen after {string.Join(", ", seenBy.Select(w => w.TotalMilliseconds))} ms (the last: the restarted replica)\n{cluster.Logs()}");
        output.WriteLine(
            $"[{Backend}] kill under load: {answers.Count} requests, {answers.Count(a => !a.Ok)} failed; {acknowledged.Count} pushes acknowledged, all listed "
            + $"and served by the restarted replica (restarted {(RestartDuringPushes ? "during" : "after")} the pushes); "
            + $"it saw the next alias move after {seen.TotalMilliseconds:F0} ms "
            + $"(every replica: {string.Join(", ", seenBy.Select(w => $"{w.TotalMilliseconds:F0}"))} ms)");
        Assert.Equal((true, Output(2)), await InferAsync(cluster.Balancer.Client, model));
    }
}

/// <summary>The multi-replica tests on SQLite + an artifact folder, shared through one data folder.</summary>
[Collection(ScaleCollection.Name)]
public sealed class SqliteFolderMultiReplicaTests(MultiReplicaCluster cluster, ITestOutputHelper output) : MultiReplicaTests(cluster, output)
{
    protected override string Backend => "sqlite+folder";

    protected override bool RestartDuringPushes => false;

    protected override Task<ReplicaData> CreateDataAsync() => Task.FromResult<ReplicaData>(new SharedFolderReplicaData());
}

/// <summary>The multi-replica tests on PostgreSQL + S3 (s3rver), each replica with its own data folder and cache.</summary>
[Collection(ScaleCollection.Name)]
public sealed class PostgresS3MultiReplicaTests(MultiReplicaCluster cluster, PostgresCluster postgres, S3rverFixture s3, ITestOutputHelper output)
    : MultiReplicaTests(cluster, output)
{
    protected override string Backend => "postgres+s3";

    protected override bool RestartDuringPushes => true;

    protected override Task<ReplicaData> CreateDataAsync() => PostgresS3ReplicaData.CreateAsync(postgres, s3.Server);

    [Fact]
    public async Task Push_PostgresAndS3_MetadataInTheDatabaseBlobInTheBucketCopiesInEachReplicasCache()
    {
        const string model = "where-it-lives";
        Assert.Equal(1, await PushAsync(Cluster.Balancer.Client, model, 7));
        foreach (var replica in Cluster.Replicas)
        {
            Assert.Equal((true, Output(7)), await InferAsync(replica.Client, model));
        }

        var data = Assert.IsType<PostgresS3ReplicaData>(Cluster.Data);
        using var client = s3.Server.CreateClient();
        var objects = await client.ListObjectsV2Async(new() { BucketName = data.Bucket, Prefix = PostgresS3ReplicaData.Prefix + "/" });
        Assert.NotEmpty(objects.S3Objects ?? []);
        for (var i = 0; i < Cluster.Replicas.Count; i++)
        {
            // No SQLite file and no artifact folder of its own: only the cache the replica loaded the model from.
            var folder = data.DataDirectory(i);
            Assert.False(File.Exists(Path.Combine(folder, "registry.db")), folder);
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(folder, "cache"), "*", SearchOption.AllDirectories));
        }
    }
}
