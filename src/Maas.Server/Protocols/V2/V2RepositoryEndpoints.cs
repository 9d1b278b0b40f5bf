using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Maas.Serving.Hosting;
using Maas.Server.Http;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.V2;

/// <summary>The model repository extension: the index of versions with their states, and explicit load and unload
/// that drive the same model host as every request.</summary>
/// <remarks>
/// Like Triton's explicit model control, an unload keeps the model unloaded: readiness probes and registry changes do
/// not load it, and pins (aliases, the default route) and <c>preload</c> no longer hold it in memory. Unlike Triton, an
/// inference request still loads it (Maas loads on demand everywhere), which also ends the unload. A load makes the
/// model's default version (production alias, else latest) ready and waits for it; from then on the usual rules apply
/// (the default version is pinned; other versions unload after their keep-alive). The unload mark lives in memory: a
/// restart preloads as the deployment settings say.
/// </remarks>
internal static class V2RepositoryEndpoints
{
    public static RouteGroupBuilder MapRepository(this RouteGroupBuilder v2)
    {
        v2.MapPost("/repository/index", IndexAsync)
            .WithSummary("Model repository index: every version with its state (READY, LOADING, UNLOADING, UNAVAILABLE) and reason");
        v2.MapPost("/repository/models/{name}/load", async (string name, IInferenceService service, CancellationToken ct) =>
            {
                PushValidatorName(name);
                await service.LoadModelAsync(name, ct).ConfigureAwait(false);
                return Results.Ok();
            })
            .RequireModel(ModelAction.Publish)
            .WithSummary("Load the model's default version and wait until it is ready");
        v2.MapPost("/repository/models/{name}/unload", async (string name, IInferenceService service, CancellationToken ct) =>
            {
                PushValidatorName(name);
                await service.UnloadModelAsync(name, ct).ConfigureAwait(false);
                return Results.Ok();
            })
            .RequireModel(ModelAction.Publish, notFound: name => $"Model '{name}' not found.")
            .WithSummary("Unload every version of the model and keep it unloaded until a load or a request");
        return v2;
    }

    private static async Task IndexAsync(HttpContext context, IInferenceService service, IModelRegistry registry)
    {
        var ct = context.RequestAborted;
        var readyOnly = await ReadReadyFilterAsync(context.Request, ct).ConfigureAwait(false);
        var access = CallerAccess.Of(context);
        var models = (await registry.ListModelsAsync(ct).ConfigureAwait(false)).Where(m => access.CanSee(m.Name)).ToList();
        var statuses = service.GetDeployments().ToDictionary(s => (s.Model, s.Version));
        using var body = new JsonBody();
        var writer = body.Writer;
        writer.WriteStartArray();
        foreach (var model in models.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var details = await registry.GetModelAsync(model.Name, ct).ConfigureAwait(false);
            if (details is null)
            {
                continue;
            }

            foreach (var version in details.Versions.Select(v => v.Version).Order())
            {
                var (state, reason) = statuses.TryGetValue((model.Name, version), out var status)
                    ? Describe(status)
                    : ("UNAVAILABLE", service.IsUnloaded(model.Name) ? "unloaded through the repository API" : "not loaded");
                if (readyOnly && state != "READY")
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("name", model.Name);
                writer.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("state", state);
                writer.WriteString("reason", reason);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        await body.SendAsync(context.Response, ct).ConfigureAwait(false);
    }

    private static (string State, string Reason) Describe(DeploymentStatus status) => status.State switch
    {
        ModelState.Ready => ("READY", string.Empty),
        ModelState.Loading => ("LOADING", string.Empty),
        ModelState.Unloading => ("UNLOADING", string.Empty),
        _ => ("UNAVAILABLE", status.LastError ?? "not loaded"),
    };

    /// <summary>The optional body <c>{"ready": true|false}</c>; anything else is a 400.</summary>
    private static async Task<bool> ReadReadyFilterAsync(HttpRequest request, CancellationToken ct)
    {
        using var body = await RequestBody.ReadAsync(request, ct).ConfigureAwait(false);
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return false;
        }

        using var document = JsonDocument.Parse(body.Memory);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("The index request body must be a JSON object such as {\"ready\": true}.");
        }

        var ready = false;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            ready = property.Name == "ready"
                ? property.Value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw MaasException.InvalidArgument("'ready' must be true or false."),
                }
                : throw MaasException.InvalidArgument($"Unknown field '{property.Name}' in the index request; the body is {{\"ready\": bool}}.");
        }

        return ready;
    }

    private static void PushValidatorName(string name)
    {
        if (!Maas.Core.Models.ModelNames.IsValid(name))
        {
            throw MaasException.InvalidArgument($"Model name '{name}' is not valid: {Maas.Core.Models.ModelNames.Rule}");
        }
    }
}
