using System.Net;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>Clients that call the adder model's inference path back to back until stopped, each recording its answers
/// in order: the status and the formatted output (or the error body).</summary>
internal sealed class InferenceLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<List<(HttpStatusCode Status, string Output)>>[] _clients;

    private InferenceLoad(HttpClient client, string path, int clients)
    {
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var seen = new List<(HttpStatusCode Status, string Output)>();
            while (!_stop.IsCancellationRequested)
            {
                var (status, output, body) = await AddModel.InferAsync(client, path);
                seen.Add((status, status == HttpStatusCode.OK ? AddModel.Format(output) : body.ToString()));
            }

            return seen;
        }))];
    }

    public static InferenceLoad Start(HttpClient client, string path, int clients) => new(client, path, clients);

    /// <summary>Stops the clients and returns each one's answers, in the order it got them.</summary>
    public async Task<List<(HttpStatusCode Status, string Output)>[]> StopAsync()
    {
        await _stop.CancelAsync();
        return await Task.WhenAll(_clients);
    }

    /// <summary>Stops the clients if the test ended before <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
