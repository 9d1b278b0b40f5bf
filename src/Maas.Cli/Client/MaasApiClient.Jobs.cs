using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Maas.Core.Serialization;

namespace Maas.Cli.Client;

/// <summary>Jobs and lineage: <c>/api/jobs</c> and <c>/api/models/{name}/lineage</c>.</summary>
internal sealed partial class MaasApiClient
{
    public async Task<JobInfo> SubmitJobAsync(string kind, JsonObject parameters, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/jobs")
        {
            Content = JsonContent.Create(new JsonObject { ["kind"] = kind, ["parameters"] = parameters }, options: MaasJson.Options),
        };
        return await SendForJsonAsync<JobInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobInfo> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "api/jobs/" + Uri.EscapeDataString(id));
        return await SendForJsonAsync<JobInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(string? state, string? kind, int? limit, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (state is not null)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }

        if (kind is not null)
        {
            query.Add("kind=" + Uri.EscapeDataString(kind));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit.Value);
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, query.Count == 0 ? "api/jobs" : "api/jobs?" + string.Join('&', query));
        return (await SendForJsonAsync<JobList>(message, cancellationToken).ConfigureAwait(false)).Jobs ?? [];
    }

    public async Task<JobInfo> CancelJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Delete, "api/jobs/" + Uri.EscapeDataString(id));
        return await SendForJsonAsync<JobInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LineageGraphInfo> GetLineageAsync(string model, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, ModelPath(model, "lineage"));
        return await SendForJsonAsync<LineageGraphInfo>(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Follows <c>/api/jobs/{id}/events</c>: the job each time it changes, ending with its final state.</summary>
    public async IAsyncEnumerable<JobInfo> WatchJobAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(id)}/events");
        message.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                // Only data lines matter: every event carries the whole job, and its state says whether it is the last.
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
                }

                continue;
            }

            if (data.Length == 0)
            {
                continue;
            }

            JobInfo? job;
            try
            {
                job = JsonSerializer.Deserialize<JobInfo>(data.ToString(), MaasJson.Options);
            }
            catch (JsonException ex)
            {
                throw new MaasApiException(response.StatusCode, $"the server sent an event this CLI cannot read: {ex.Message}");
            }

            data.Clear();
            if (job is null)
            {
                continue;
            }

            yield return job;
            if (job.IsFinal)
            {
                yield break;
            }
        }

        throw new MaasApiException(response.StatusCode, $"the server ended the event stream of job {id} before the job finished");
    }
}
