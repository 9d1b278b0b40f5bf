using Maas.Core.Models;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Graph;

/// <summary>The shared body of the ONNX passes: load the parent model (external data included), rewrite it, write the
/// result into the output folder under the manifest's model file name, with external data only when it must.</summary>
internal static class OnnxPassRunner
{
    public static Task<PassResult> RunAsync(
        PassContext context,
        string stage,
        Func<ModelProto, IReadOnlyList<string>> rewrite,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        return RunAsync(context, stage, (model, _) => Task.FromResult(rewrite(model)), parameters, cancellationToken);
    }

    /// <summary>As above, for a rewrite that awaits (calibration runs); it reports its own progress between 0.2 and 0.8.</summary>
    public static Task<PassResult> RunAsync(
        PassContext context,
        string stage,
        Func<ModelProto, CancellationToken, Task<IReadOnlyList<string>>> rewrite,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rewrite);

        // The work is CPU-bound and synchronous; the job runner already runs it off the request path.
        return Task.Run(
            async () =>
            {
                context.Progress(0.0, "loading model");
                var model = OnnxModelFile.Load(context.ModelPath);
                cancellationToken.ThrowIfCancellationRequested();
                context.Progress(0.2, stage);
                var notes = await rewrite(model, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                context.Progress(0.8, "writing model");
                Directory.CreateDirectory(context.OutputDirectory);
                var path = Path.Combine(context.OutputDirectory, OutputFileName(context));
                OnnxModelFile.Save(model, path);
                context.Progress(1.0, "done");
                return new PassResult(path, parameters, notes);
            },
            cancellationToken);
    }

    /// <summary>The manifest's logical model file name (the local path may be a store's own name for the blob).</summary>
    private static string OutputFileName(PassContext context) =>
        ArtifactFileNames.IsValid(context.Manifest.ModelFile) && context.Manifest.ModelFile.EndsWith(ArtifactFileNames.OnnxExtension, StringComparison.OrdinalIgnoreCase)
            ? context.Manifest.ModelFile
            : ArtifactFileNames.DefaultModelFile;
}
