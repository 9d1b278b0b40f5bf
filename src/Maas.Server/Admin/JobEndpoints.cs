using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Serialization;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Admin;

/// <summary>Jobs under <c>/api/jobs</c> (submit, list, show, follow as server-sent events, cancel) and lineage under
/// <c>/api/models/{name}/lineage</c>.</summary>
internal static class JobEndpoints
{
    public const int DefaultListLimit = 50;

    /// <summary>Longest parameter array that lists and events carry whole.</summary>
    public const int MaxInlineItems = 16;

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/jobs", async (HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                SubmitJobRequest body;
                try
                {
                    body = await JsonSerializer.DeserializeAsync<SubmitJobRequest>(context.Request.Body, MaasJson.Options, ct).ConfigureAwait(false)
                        ?? throw MaasException.InvalidArgument("The body must be a JSON object.");
                }
                catch (JsonException ex)
                {
                    throw MaasException.InvalidArgument($"Malformed JSON: {ex.Message}");
                }

                if (string.IsNullOrWhiteSpace(body.Kind))
                {
                    throw MaasException.InvalidArgument("A job needs a 'kind'.");
                }

                var parameters = body.Parameters ?? JsonDocument.Parse("{}").RootElement;
                CallerAccess.Of(context).RequireSubmit(parameters);
                var job = await jobs.SubmitAsync(new JobRequest(body.Kind, parameters, AdminEndpoints.Actor(context)), ct).ConfigureAwait(false);
                context.Response.Headers.Location = $"/api/jobs/{Uri.EscapeDataString(job.Id)}";
                return AdminEndpoints.Json(job, StatusCodes.Status202Accepted);
            })
            .Accepts<SubmitJobRequest>("application/json")
            .Produces<JobRecord>(StatusCodes.Status202Accepted)
            .WithSummary("Submit a job (e.g. kind 'quantize'); it is validated, queued and run in the background");

        api.MapGet("/jobs", async (string? state, string? kind, int? limit, HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                JobState? filter = null;
                if (state is not null)
                {
                    filter = JobStates.TryParse(state, out var parsed)
                        ? parsed
                        : throw MaasException.InvalidArgument(
                            $"Unknown job state '{state}'; use one of {string.Join(", ", Enum.GetValues<JobState>().Select(s => s.ToName()))}.");
                }

                var list = await jobs.ListAsync(filter, kind, limit ?? DefaultListLimit, ct).ConfigureAwait(false);
                var access = CallerAccess.Of(context);
                return AdminEndpoints.Json(new JobListResponse([.. list.Where(access.CanSee).Select(Brief)]));
            })
            .RequireAction(ModelAction.Inspect)
            .Produces<JobListResponse>()
            .WithSummary("List jobs, newest first (filters: state, kind; limit)");

        api.MapGet("/jobs/{id}", async (string id, HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                var job = await jobs.GetAsync(id, ct).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
                CallerAccess.Of(context).Require(job, ModelAction.Inspect);
                return AdminEndpoints.Json(job);
            })
            .Produces<JobRecord>()
            .WithSummary("Show a job: state, progress, stage, result version or error");

        api.MapGet("/jobs/{id}/events", async (string id, HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                // Unknown ids answer 404 before the stream starts (after that, errors can no longer change the status).
                var job = await jobs.GetAsync(id, ct).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
                CallerAccess.Of(context).Require(job, ModelAction.Inspect);
                await WriteEventsAsync(context.Response, jobs.WatchAsync(id, ct), ct).ConfigureAwait(false);
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithSummary("Follow a job as server-sent events: 'progress' events with the job, then one 'state' event with its final state");

        api.MapDelete("/jobs/{id}", async (string id, HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                var found = await jobs.GetAsync(id, ct).ConfigureAwait(false) ?? throw MaasException.NotFound($"Job '{id}' not found.");
                CallerAccess.Of(context).Require(found, ModelAction.Publish);
                var job = await jobs.CancelAsync(id, AdminEndpoints.Actor(context), ct).ConfigureAwait(false);
                return AdminEndpoints.Json(job, job.State.IsFinal() ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
            })
            .Produces<JobRecord>()
            .Produces<JobRecord>(StatusCodes.Status202Accepted)
            .WithSummary("Cancel a job: a queued one at once (200), a running one when it stops (202); 409 when it has finished");

        api.MapGet("/models/{name}/lineage", async (string name, IModelRegistry registry, CancellationToken ct) =>
                AdminEndpoints.Json(await registry.GetLineageAsync(name, ct).ConfigureAwait(false)))
            .RequireModel(ModelAction.Inspect)
            .Produces<LineageGraph>()
            .WithSummary("A model's versions with their parents (and theirs, across models): role, transform, parameters, job");
        return api;
    }

    /// <summary>The job with inline input lists in its parameters (calibration data: megabytes) shortened to
    /// <c>"[N items]"</c>, for lists and events; <c>GET /api/jobs/{id}</c> carries them whole.</summary>
    internal static JobRecord Brief(JobRecord job)
    {
        if (job.Parameters.ValueKind != JsonValueKind.Object
            || !job.Parameters.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > MaxInlineItems))
        {
            return job;
        }

        var parameters = System.Text.Json.Nodes.JsonNode.Parse(job.Parameters.GetRawText())!.AsObject();
        foreach (var property in job.Parameters.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() > MaxInlineItems)
            {
                parameters[property.Name] = $"[{property.Value.GetArrayLength()} items]";
            }
        }

        return job with { Parameters = JsonSerializer.SerializeToElement(parameters, MaasJson.Options) };
    }

    /// <summary>One event per state the watcher sees; the final one is named <c>state</c> and ends the stream.</summary>
    internal static async Task WriteEventsAsync(HttpResponse response, IAsyncEnumerable<JobRecord> states, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var job in states.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var name = job.State.IsFinal() ? "state" : "progress";
            var data = JsonSerializer.Serialize(Brief(job), MaasJson.Options);
            await response.WriteAsync($"event: {name}\ndata: {data}\n\n", Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
