using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Serialization;
using Maas.Registry.Abstractions;
using Maas.Server.Http;
using Maas.Server.Security;
using Maas.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Admin;

/// <summary>The admin API under <c>/api</c>: push versions, list and show models, move aliases, delete versions, read the audit log.</summary>
/// <remarks>Bodies use snake_case JSON; errors are RFC 9457 problem details. Every route checks the caller's access
/// (<see cref="CallerAccess"/>): a model outside its key's patterns answers 404 as a missing one would. Changes are
/// recorded with the authenticated caller as actor (<c>name#keyid</c>, or <c>anonymous</c> on loopback without keys).</remarks>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Admin");
        api.MapArtifactFiles();
        api.MapStorageApi();
        api.MapGet("/models", async (HttpContext context, IModelRegistry registry, CancellationToken ct) =>
            Json(new ModelListResponse([.. (await registry.ListModelsAsync(ct).ConfigureAwait(false)).Where(m => CallerAccess.Of(context).CanSee(m.Name))])))
            .RequireAction(ModelAction.Inspect)
            .Produces<ModelListResponse>().WithSummary("List models");

        api.MapGet("/models/{name}", async (string name, IModelRegistry registry, IInferenceService service, CancellationToken ct) =>
        {
            var details = await registry.GetModelAsync(name, ct).ConfigureAwait(false)
                ?? throw MaasException.NotFound(CallerAccess.ModelNotFound(name));
            var s = details.Summary;
            var deployments = service.GetDeployments(s.Name).Select(DeploymentDocument.From).ToList();
            return Json(new ModelDetailsResponse(s.Name, s.Description, s.Tags, s.Aliases, s.CreatedAt, details.Versions, deployments));
        }).RequireModel(ModelAction.Inspect).Produces<ModelDetailsResponse>().WithSummary("Show a model with its versions, aliases and the deployment state of its loaded versions");

        api.MapPatch("/models/{name}", async (string name, HttpContext context, IModelRegistry registry, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<UpdateModelRequest>(context, ct).ConfigureAwait(false);
            await registry.UpdateModelAsync(name, body.Description, body.Tags, Actor(context), ct).ConfigureAwait(false);
            return Results.NoContent();
        }).RequireModel(ModelAction.Publish).Accepts<UpdateModelRequest>("application/json").WithSummary("Update description and tags");

        api.MapPost("/models/{name}/versions", (string name, HttpContext context, PushHandler handler) =>
                handler.HandleAsync(name, context))
            .RequireModel(ModelAction.Publish)
            .Produces<ModelVersionInfo>(StatusCodes.Status201Created)
            .WithSummary("Push a new version (multipart: one 'file' part per file, optional 'manifest', 'alias', 'description')")
            .DisableAntiforgery();

        api.MapPut("/models/{name}/aliases/{alias}", async (string name, string alias, HttpContext context, IModelRegistry registry, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<SetAliasRequest>(context, ct).ConfigureAwait(false);
            await registry.SetAliasAsync(name, alias, body.Version, Actor(context), ct).ConfigureAwait(false);
            return Results.NoContent();
        }).RequireModel(ModelAction.Publish).Accepts<SetAliasRequest>("application/json").WithSummary("Set or move an alias");

        api.MapDelete("/models/{name}/aliases/{alias}", async (string name, string alias, HttpContext context, IModelRegistry registry, CancellationToken ct) =>
        {
            await registry.RemoveAliasAsync(name, alias, Actor(context), ct).ConfigureAwait(false);
            return Results.NoContent();
        }).RequireModel(ModelAction.Publish).WithSummary("Remove an alias");

        api.MapDelete("/models/{name}/versions/{version:int}", async (string name, int version, bool? force, HttpContext context, IModelRegistry registry, CancellationToken ct) =>
        {
            await registry.DeleteVersionAsync(name, version, force ?? false, Actor(context), ct).ConfigureAwait(false);
            return Results.NoContent();
        }).RequireModel(ModelAction.Delete).WithSummary("Delete a version (refused while an alias points at it unless force=true)");

        api.MapKeysAndAudit();
        api.MapDeploymentApi();
        api.MapJobsApi();
        return app;
    }

    /// <summary>The audit actor: the authenticated caller, never a header the client chose.</summary>
    internal static string Actor(HttpContext context) => CallerAccess.Of(context).Actor;

    internal static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        JsonBody.Result(value, MaasJson.Options, status);

    private static async Task<T> ReadJsonAsync<T>(HttpContext context, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, MaasJson.Options, ct).ConfigureAwait(false)
                ?? throw MaasException.InvalidArgument("The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw MaasException.InvalidArgument($"Malformed JSON: {ex.Message}");
        }
    }
}
