using System.Text.Json;
using Maas.Jobs;
using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Admin;

/// <summary>Artifact storage under <c>/api/storage</c>: which storage keys blobs use, and key rotation as a job.</summary>
internal static class StorageEndpoints
{
    public static RouteGroupBuilder MapStorageApi(this RouteGroupBuilder api)
    {
        api.MapPost("/storage/rotate", async (HttpContext context, IJobService jobs, CancellationToken ct) =>
            {
                using var parameters = JsonDocument.Parse("{}");
                var job = await jobs.SubmitAsync(
                    new JobRequest(RotateStorageJobHandler.JobKind, parameters.RootElement.Clone(), AdminEndpoints.Actor(context)), ct).ConfigureAwait(false);
                context.Response.Headers.Location = $"/api/jobs/{Uri.EscapeDataString(job.Id)}";
                return AdminEndpoints.Json(job, StatusCodes.Status202Accepted);
            })
            .RequireAction(ModelAction.Administer)
            .Produces<JobRecord>(StatusCodes.Status202Accepted)
            .WithSummary("Re-encrypt every stored artifact with the active storage key, as a 'rotate-storage' job (follow it under /api/jobs/{id})");

        api.MapGet("/storage/keys", async (IStorageRotation rotation, CancellationToken ct) =>
            {
                var usage = await rotation.GetKeyUsageAsync(ct).ConfigureAwait(false);
                return AdminEndpoints.Json(new StorageKeysResponse(
                    usage.ActiveKeyId,
                    [.. usage.BlobsByKey.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => new StorageKeyCount(k.Key.Length == 0 ? null : k.Key, k.Value))]));
            })
            .RequireAction(ModelAction.Administer)
            .Produces<StorageKeysResponse>()
            .WithSummary("The active storage key and how many blobs each key encrypts (key_id null: stored plain)");
        return api;
    }
}
