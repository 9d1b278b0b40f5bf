using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Jobs;
using Maas.Registry.Abstractions;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary>A stand-in <c>quantize</c> handler for the job machinery's end-to-end tests: it validates like a real one
/// (the version must exist), reports stages, optionally waits on a gate, and registers a copy of the parent with lineage
/// naming the job and a report of the sizes it really has (no throughput or accuracy: it measures nothing).</summary>
/// <remarks>Methods: <c>fail</c> fails while running, <c>bad</c> is refused at validation, <c>gated</c> waits for
/// <see cref="Gate"/>; anything else succeeds.</remarks>
internal sealed class TestQuantizeHandler(IModelRegistry registry) : IJobHandler
{
    public string Kind => "quantize";

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource GateReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task ValidateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        if (Method(request) == "bad")
        {
            throw MaasException.InvalidArgument("method 'bad' does not exist");
        }

        await registry.ResolveAsync(Reference(request), cancellationToken);
    }

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var parent = await registry.ResolveAsync(Reference(context.Request), cancellationToken);
        context.ReportProgress(0.1, "loading");
        if (Method(context.Request) == "gated")
        {
            GateReached.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
        }

        context.ReportProgress(0.5, "quantizing");
        var file = parent.Files.Single(f => f.Name == parent.Manifest.ModelFile);
        var output = Path.Combine(context.WorkDirectory, "model.onnx");
        File.Copy(await registry.GetArtifactPathAsync(file.Sha256), output);
        context.ReportProgress(0.9, "measuring");
        if (Method(context.Request) == "fail")
        {
            throw MaasException.InvalidArgument("the model has nothing to quantize");
        }

        await using var content = File.OpenRead(output);
        var alias = context.Parameters.TryGetProperty("alias", out var a) ? a.GetString() : null;
        var version = await registry.PushAsync(
            new PushRequest
            {
                Model = parent.Model,
                Files = [new PushFile("model.onnx", content)],
                Manifest = parent.Manifest,
                Alias = alias,
                Actor = context.Actor,
                Lineage = Lineage.From(parent.Model, parent.Version, "quantize", new Dictionary<string, string> { ["method"] = Method(context.Request) })
                    with { JobId = context.JobId },
                Report = new VersionReport
                {
                    Transform = $"quantize {Method(context.Request)}",
                    Parent = parent.Key,
                    ArtifactBytes = new FileInfo(output).Length,
                    ParentArtifactBytes = file.Size,
                    Notes = ["test handler: copies the parent, measures nothing"],
                },
            },
            cancellationToken);
        return new JobResult(version.Model, version.Version, $"registered {version.Key}");
    }

    private static string Method(JobRequest request) =>
        request.Parameters.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;

    private static ModelReference Reference(JobRequest request)
    {
        var model = request.Parameters.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : throw MaasException.InvalidArgument("parameters need 'model'");
        int? version = request.Parameters.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        return new ModelReference(model, Version: version);
    }
}
