using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Server.Http;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{model}</c>: every registered model the caller may see, by name.</summary>
internal static class OpenAiModelsEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/models", async (HttpContext context, IModelRegistry registry) =>
        {
            var models = await registry.ListModelsAsync(context.RequestAborted).ConfigureAwait(false);
            var defaults = await registry.ResolveDefaultsAsync(context.RequestAborted).ConfigureAwait(false);
            using var body = new JsonBody();
            var writer = body.Writer;
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            var access = CallerAccess.Of(context);
            foreach (var model in models.Where(m => m.VersionCount > 0 && access.CanSee(m.Name)))
            {
                // A model deleted between the two reads is listed without a parent.
                WriteModel(writer, model, parent: defaults.TryGetValue(model.Name, out var version) ? Parent(version) : null);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await body.SendAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
        }).WithSummary("List models");

        v1.MapGet("/models/{model}", async (string model, HttpContext context, IModelRegistry registry) =>
        {
            var reference = ModelReference.Parse(model);
            CallerAccess.Of(context).Require(reference.Name, ModelAction.Read, _ => $"The model '{model}' does not exist.");
            var details = await registry.GetModelAsync(reference.Name, context.RequestAborted).ConfigureAwait(false);
            if (details is null || details.Versions.Count == 0)
            {
                throw MaasException.NotFound($"The model '{model}' does not exist.");
            }

            var version = await registry.ResolveAsync(reference, context.RequestAborted).ConfigureAwait(false);
            await JsonBody.SendAsync(context.Response, writer => WriteModel(writer, details.Summary, model, Parent(version)), context.RequestAborted)
                .ConfigureAwait(false);
        }).WithSummary("Retrieve a model");
    }

    /// <summary>An adapter's base model (vLLM lists LoRA modules with their <c>parent</c>); null for models.</summary>
    private static string? Parent(ModelVersionInfo version) =>
        AdapterProperties.IsAdapter(version.Manifest) ? version.Manifest.Properties.GetValueOrDefault(AdapterProperties.BaseModel) : null;

    private static void WriteModel(Utf8JsonWriter writer, ModelSummary model, string? id = null, string? parent = null)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id ?? model.Name);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", model.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("owned_by", "maas");
        if (parent is not null)
        {
            writer.WriteString("parent", parent);
        }

        writer.WriteEndObject();
    }
}
