using Maas.Tests.Shared;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Three <c>maas serve</c> processes sharing one registry, behind nginx; started by the first test of its class
/// on the backend that class chooses (<see cref="StartOnceAsync"/>), stopped after the last.</summary>
public sealed class MultiReplicaCluster : IAsyncLifetime
{
    public const int Size = 3;

    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly string _balancerFolder = TempFolder.Create("maas-nginx");
    private ReplicaData? _data;

    internal List<ReplicaProcess> Replicas { get; } = [];

    /// <summary>The backend the replicas were started on.</summary>
    internal ReplicaData Data => _data ?? throw new InvalidOperationException("The cluster has not started.");

    internal NginxBalancer Balancer { get; private set; } = null!;

    /// <summary>Starts the replicas on the data <paramref name="createData"/> describes, once (the first caller's backend).</summary>
    public async Task StartOnceAsync(Func<Task<ReplicaData>> createData)
    {
        await _starting.WaitAsync();
        try
        {
            if (_data is not null)
            {
                return;
            }

            _data = await createData();
            for (var i = 0; i < Size; i++)
            {
                Replicas.Add(new ReplicaProcess(
                    $"replica{i}",
                    FreePorts.Next(),
                    _data.DataDirectory(i),
                    [.. _data.Settings(i), $"Maas:Server:ReplicaId=replica{i}"]));
            }

            // The first start creates the schema; the others then start together.
            await Replicas[0].StartAsync();
            await Task.WhenAll(Replicas.Skip(1).Select(r => r.StartAsync()));
            Balancer = await NginxBalancer.StartAsync(_balancerFolder, FreePorts.Next(), Replicas.Select(r => r.Port));
        }
        finally
        {
            _starting.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        _data?.Dispose();
        TempFolder.Delete(_balancerFolder);
        _starting.Dispose();
    }

    /// <summary>What every replica's logs and the balancer's say, for a failure message.</summary>
    internal string Logs() =>
        string.Join("\n", Replicas.Select(r => $"--- {r.Name}\n{Tail(r.Log)}")) + $"\n--- nginx\n{Tail(Balancer?.Log ?? string.Empty)}";

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}
