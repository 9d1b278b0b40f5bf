using System.Net;
using System.Net.Sockets;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Three <c>maas serve</c> processes sharing one registry, behind nginx.</summary>
public sealed class MultiReplicaCluster : IAsyncLifetime
{
    public const int Size = 3;

    private readonly ReplicaData _data = new SharedFolderReplicaData();
    private readonly string _balancerFolder = TempFolder.Create("maas-nginx");

    internal List<ReplicaProcess> Replicas { get; } = [];

    internal NginxBalancer Balancer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        for (var i = 0; i < Size; i++)
        {
            Replicas.Add(new ReplicaProcess(
                $"replica{i}",
                FreePort(),
                _data.DataDirectory(i),
                [.. _data.Settings(i), $"Maas:Server:ReplicaId=replica{i}"]));
        }

        // The first start creates the schema; the others then start together.
        await Replicas[0].StartAsync();
        await Task.WhenAll(Replicas.Skip(1).Select(r => r.StartAsync()));
        Balancer = await NginxBalancer.StartAsync(_balancerFolder, FreePort(), Replicas.Select(r => r.Port));
    }

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

        _data.Dispose();
        TempFolder.Delete(_balancerFolder);
    }

    /// <summary>What every replica's logs and the balancer's say, for a failure message.</summary>
    internal string Logs() =>
        string.Join("\n", Replicas.Select(r => $"--- {r.Name}\n{Tail(r.Log)}")) + $"\n--- nginx\n{Tail(Balancer.Log)}";

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
