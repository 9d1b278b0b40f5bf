namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Clients calling the adder through the balancer back to back until stopped, recording every answer.</summary>
internal sealed class LoadThroughBalancer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<List<(bool Ok, string Output)>>[] _clients;

    public LoadThroughBalancer(HttpClient client, string model, int clients)
    {
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var seen = new List<(bool Ok, string Output)>();
            while (!_stop.IsCancellationRequested)
            {
                seen.Add(await ClusterClient.InferAsync(client, model));
            }

            return seen;
        }))];
    }

    public async Task<List<(bool Ok, string Output)>> StopAsync()
    {
        await _stop.CancelAsync();
        return [.. (await Task.WhenAll(_clients)).SelectMany(r => r)];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
