using Maas.Registry.Abstractions;
using Maas.Server.Security;
using Maas.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Admin;

/// <summary>Deployments under <c>/api</c>: what the model host holds, and each model's deployment settings.</summary>
internal static class DeploymentEndpoints
{
    public static RouteGroupBuilder MapDeploymentApi(this RouteGroupBuilder api)
    {
        api.MapGet("/deployments", (HttpContext context, IInferenceService service) =>
                AdminEndpoints.Json(new DeploymentListResponse(
                    service.GetDeployments().Where(d => CallerAccess.Of(context).CanSee(d.Model)).Select(DeploymentDocument.From).ToList())))
            .RequireAction(ModelAction.Inspect)
            .Produces<DeploymentListResponse>()
            .WithSummary("List loaded, loading, failed and draining versions with their state, settings, memory, load and last error");

        api.MapGet("/models/{name}/deployment", async (string name, IModelRegistry registry, IInferenceService service, CancellationToken ct) =>
            {
                var deployment = await registry.GetDeploymentAsync(name, ct).ConfigureAwait(false);
                return AdminEndpoints.Json(ModelDeploymentResponse.From(deployment, service.EffectiveSettings(deployment.Overrides)));
            })
            .RequireModel(ModelAction.Inspect)
            .Produces<ModelDeploymentResponse>()
            .WithSummary("Show a model's deployment overrides and the effective settings");

        api.MapPut("/models/{name}/deployment", async (string name, HttpContext context, IModelRegistry registry, IInferenceService service, CancellationToken ct) =>
            {
                // Unknown model first (404), whatever the body holds.
                var current = await registry.GetDeploymentAsync(name, ct).ConfigureAwait(false);
                var overrides = await DeploymentPatch.ApplyAsync(context.Request.Body, current.Overrides, ct).ConfigureAwait(false);
                var stored = await registry.SetDeploymentAsync(name, overrides, AdminEndpoints.Actor(context), ct).ConfigureAwait(false);
                return AdminEndpoints.Json(ModelDeploymentResponse.From(stored, service.EffectiveSettings(stored.Overrides)));
            })
            .RequireModel(ModelAction.Publish)
            .Accepts<DeploymentOverridesDocument>("application/json")
            .Produces<ModelDeploymentResponse>()
            .WithSummary("Change a model's deployment settings (partial: a field replaces, null resets to the default); applied without a restart");
        return api;
    }
}
