using System.Globalization;
using System.Text.Json;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Serving;
using Maas.Serving.Metrics;
using Maas.Server.Http;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.V2;

/// <summary>The statistics extension: cumulative counts and durations per version, from the same measurements as
/// <c>/metrics</c> (<see cref="ModelStatistics"/>).</summary>
/// <remarks>An engine call is split where the pipeline marks it (<see cref="Maas.Serving.Batching.ComputePhases"/>):
/// <c>compute_input</c> is preparing the batch's tensors (padding, concatenating), <c>compute_infer</c> the engine call,
/// <c>compute_output</c> taking the outputs apart (pooling, normalizing, slicing per request); an engine that tokenizes
/// itself has all of it in <c>compute_infer</c>. Versions that have seen no request are listed with zeros.</remarks>
internal static class V2StatisticsEndpoints
{
    public static RouteGroupBuilder MapStatistics(this RouteGroupBuilder v2)
    {
        v2.MapGet("/models/stats", (HttpContext context, IModelRegistry registry, ModelStatistics statistics) =>
                WriteAllAsync(context, registry, statistics))
            .WithSummary("Statistics of every model version the caller may see");
        v2.MapGet("/models/{name}/stats", (HttpContext context, string name, IInferenceService service, IModelRegistry registry, ModelStatistics statistics) =>
                WriteModelAsync(context, ModelReference.Parse(name), service, registry, statistics))
            .RequireModel(ModelAction.Read)
            .WithSummary("Statistics of a model's versions (name), or of one version (name:version, name@alias)");
        v2.MapGet("/models/{name}/versions/{version}/stats", (HttpContext context, string name, string version, IInferenceService service, IModelRegistry registry, ModelStatistics statistics) =>
                WriteModelAsync(context, ModelReference.Parse(name, version), service, registry, statistics))
            .RequireModel(ModelAction.Read)
            .WithSummary("Statistics of one model version");
        return v2;
    }

    private static async Task WriteAllAsync(HttpContext context, IModelRegistry registry, ModelStatistics statistics)
    {
        var ct = context.RequestAborted;
        var snapshots = new List<VersionStatisticsSnapshot>();
        var access = CallerAccess.Of(context);
        foreach (var model in (await registry.ListModelsAsync(ct).ConfigureAwait(false)).Where(m => access.CanSee(m.Name)).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (await registry.GetModelAsync(model.Name, ct).ConfigureAwait(false) is { } details)
            {
                snapshots.AddRange(details.Versions.Select(v => v.Version).Order().Select(v => statistics.Get(model.Name, v)));
            }
        }

        await WriteAsync(context.Response, snapshots).ConfigureAwait(false);
    }

    private static async Task WriteModelAsync(HttpContext context, ModelReference reference, IInferenceService service, IModelRegistry registry, ModelStatistics statistics)
    {
        var ct = context.RequestAborted;

        // Resolving first makes an unknown model, version or alias a 404.
        var resolved = await service.ResolveAsync(reference, ct).ConfigureAwait(false);
        IEnumerable<int> versions = [resolved.Version];
        if (reference.Version is null && reference.Alias is null && await registry.GetModelAsync(reference.Name, ct).ConfigureAwait(false) is { } details)
        {
            versions = details.Versions.Select(v => v.Version).Order();
        }

        await WriteAsync(context.Response, versions.Select(v => statistics.Get(resolved.Model, v)).ToList()).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpResponse response, IReadOnlyList<VersionStatisticsSnapshot> snapshots) =>
        JsonBody.SendAsync(response, writer => Write(writer, snapshots), response.HttpContext.RequestAborted);

    private static void Write(Utf8JsonWriter writer, IReadOnlyList<VersionStatisticsSnapshot> snapshots)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("model_stats");
        foreach (var s in snapshots)
        {
            writer.WriteStartObject();
            writer.WriteString("name", s.Model);
            writer.WriteString("version", s.Version.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber("last_inference", s.LastInferenceMs);
            writer.WriteNumber("inference_count", s.InferenceCount);
            writer.WriteNumber("execution_count", s.ExecutionCount);
            writer.WriteStartObject("inference_stats");
            Duration(writer, "success", s.Success);
            Duration(writer, "fail", s.Fail);
            Duration(writer, "queue", s.Queue);
            Compute(writer, s.ComputeInput, s.ComputeInfer, s.ComputeOutput);
            writer.WriteEndObject();
            writer.WriteStartArray("batch_stats");
            foreach (var batch in s.Batches)
            {
                writer.WriteStartObject();
                writer.WriteNumber("batch_size", batch.BatchSize);
                Compute(writer, batch.ComputeInput, batch.ComputeInfer, batch.ComputeOutput);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Compute(Utf8JsonWriter writer, StatisticsDuration input, StatisticsDuration infer, StatisticsDuration output)
    {
        Duration(writer, "compute_input", input);
        Duration(writer, "compute_infer", infer);
        Duration(writer, "compute_output", output);
    }

    private static void Duration(Utf8JsonWriter writer, string name, StatisticsDuration duration)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("count", duration.Count);
        writer.WriteNumber("ns", duration.Nanoseconds);
        writer.WriteEndObject();
    }
}
