using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Jobs;
using Maas.Optimization.Evaluation;
using Maas.Registry.Abstractions;

namespace Maas.Optimization.Jobs;

/// <summary>The <c>quantize</c> job: parent version → pass → report measured side by side → one push of the new
/// version (same model, parent's manifest, lineage naming the job, the report, the alias when asked).</summary>
/// <remarks>
/// Progress: fetching the parent 0–5 %, the pass 5–60 %, measuring 60–95 %, registering 95–100 %. Nothing is
/// registered before the last step, so a cancel or a failure anywhere before it leaves the registry as it was.
/// </remarks>
internal sealed class QuantizeJobHandler(
    IModelRegistry registry,
    IEnumerable<IModelPass> passes,
    ReportMeasurer measurer,
    TimeProvider time) : IJobHandler
{
    public const string JobKind = "quantize";
    public const string Transform = "quantize";

    public string Kind => JobKind;

    public async Task ValidateAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = QuantizeParameters.Parse(request.Parameters);
        var parent = await registry.ResolveAsync(parameters.Model, cancellationToken).ConfigureAwait(false);
        var pass = FindPass(parameters.Method, parent);
        pass.ValidateOptions(parameters.Options);
        if (pass is IModelPassCheck check)
        {
            var modelFile = parent.Files.FirstOrDefault(f => f.Name == parent.Manifest.ModelFile)
                ?? throw MaasException.NotFound($"Version {parent.Key} has no file '{parent.Manifest.ModelFile}'.");
            check.CheckModel(await registry.GetArtifactPathAsync(modelFile.Sha256, cancellationToken).ConfigureAwait(false), parent.Manifest, parameters.Options);
        }

        if (parameters.Calibration is { } calibration)
        {
            EvaluationInputs.Validate(parent.Manifest, calibration);
        }
    }

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parameters = QuantizeParameters.Parse(context.Parameters);
        var parent = await registry.ResolveAsync(parameters.Model, cancellationToken).ConfigureAwait(false);
        var pass = FindPass(parameters.Method, parent);
        pass.ValidateOptions(parameters.Options);

        context.ReportProgress(0, "fetching the parent's files");
        var parentFiles = await FetchAsync(parent, Path.Combine(context.WorkDirectory, "parent"), cancellationToken).ConfigureAwait(false);
        var parentModelPath = parentFiles.TryGetValue(parent.Manifest.ModelFile, out var p)
            ? p
            : throw MaasException.NotFound($"Version {parent.Key} has no file '{parent.Manifest.ModelFile}'.");
        (pass as IModelPassCheck)?.CheckModel(parentModelPath, parent.Manifest, parameters.Options);

        context.ReportProgress(0.04, "preparing evaluation inputs");
        var inputs = EvaluationInputs.Build(parent.Manifest, parentFiles, parameters.Calibration);
        try
        {
            var outputDirectory = Directory.CreateDirectory(Path.Combine(context.WorkDirectory, "result")).FullName;
            var passContext = new PassContext(
                parentModelPath,
                parent.Manifest,
                parameters.Options,
                outputDirectory,
                (fraction, stage) => context.ReportProgress(0.05 + (0.55 * Math.Clamp(fraction, 0, 1)), stage))
            {
                CalibrationInputs = inputs.Feeds.Count > 0 ? inputs.Feeds : null,
                LoadTensorModel = (path, ct) => measurer.LoadTensorModelAsync(parent.Manifest, path, ct),
            };
            context.ReportProgress(0.05, $"running {pass.Method}");
            var passResult = await pass.RunAsync(passContext, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            var resultFiles = CollectResultFiles(parent, parentFiles, parentModelPath, passResult, outputDirectory);
            var resultManifest = parent.Manifest with
            {
                ModelFile = Path.GetFileName(passResult.ModelPath),

                // Signature and file facts are read again from the new file at push; task and processing stay.
                Inputs = [],
                Outputs = [],
                Properties = new Dictionary<string, string>(),
            };

            var measurement = await measurer.MeasureAsync(
                new MeasuredModel(parent.Key, parent.Manifest, parentFiles),
                new MeasuredModel($"{parent.Model}:{pass.Method}", resultManifest with { Inputs = parent.Manifest.Inputs, Outputs = parent.Manifest.Outputs }, resultFiles.Paths),
                inputs,
                (fraction, stage) => context.ReportProgress(0.6 + (0.35 * Math.Clamp(fraction, 0, 1)), stage),
                cancellationToken).ConfigureAwait(false);

            var effective = new Dictionary<string, string>(StringComparer.Ordinal) { ["method"] = pass.Method };
            foreach (var (key, value) in passResult.Parameters)
            {
                effective[key] = value;
            }

            var report = new VersionReport
            {
                Transform = $"{Transform} {pass.Method}",
                Parent = parent.Key,
                ArtifactBytes = resultFiles.ModelBytes,
                ParentArtifactBytes = ModelBytes(parent, parentModelPath),
                Throughput = measurement.Throughput,
                Accuracy = measurement.Accuracy,
                Machine = ReportMeasurer.Machine(),
                MeasuredAt = time.GetUtcNow(),
                Notes = [.. passResult.Notes, .. measurement.Notes, InputsNote(inputs)],
            };

            // The last point where a cancel is honoured: from here on the push either commits whole or not at all.
            cancellationToken.ThrowIfCancellationRequested();
            context.ReportProgress(0.95, "registering the new version");
            var version = await PushAsync(parent, parameters, context, resultManifest, resultFiles, effective, report).ConfigureAwait(false);
            context.ReportProgress(1, "done");
            return new JobResult(version.Model, version.Version, Summary(version, pass.Method, report));
        }
        finally
        {
            foreach (var feed in inputs.Feeds)
            {
                foreach (var tensor in feed)
                {
                    tensor.Dispose();
                }
            }
        }
    }

    private IModelPass FindPass(string method, ModelVersionInfo parent)
    {
        var format = parent.Manifest.Format;
        var forFormat = passes.Where(p => p.Format == format).Select(p => p.Method).Distinct().Order(StringComparer.Ordinal).ToList();
        var available = forFormat.Count > 0 ? string.Join(", ", forFormat) : "none";
        var match = passes.Where(p => string.Equals(p.Method, method, StringComparison.OrdinalIgnoreCase)).ToList();
        if (match.Count == 0)
        {
            throw MaasException.InvalidArgument($"Method '{method}' is not known. Methods for {format} models such as {parent.Key}: {available}.");
        }

        return match.FirstOrDefault(p => p.Format == format)
            ?? throw MaasException.InvalidArgument(
                $"Method '{method}' applies to {string.Join("/", match.Select(p => p.Format).Distinct())} models; {parent.Key} is {format}. Methods for {format}: {available}.");
    }

    /// <summary>Copies the parent's files under their logical names into one folder, so a model file finds its
    /// external data beside it as it names them (the store keeps files by digest).</summary>
    private async Task<Dictionary<string, string>> FetchAsync(ModelVersionInfo parent, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in parent.Files)
        {
            var target = Path.Combine(folder, file.Name);
            var source = await registry.GetArtifactPathAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
            var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (input.ConfigureAwait(false))
            {
                var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (output.ConfigureAwait(false))
                {
                    await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }

            paths[file.Name] = target;
        }

        return paths;
    }

    private static ResultFiles CollectResultFiles(
        ModelVersionInfo parent,
        IReadOnlyDictionary<string, string> parentFiles,
        string parentModelPath,
        PassResult passResult,
        string outputDirectory)
    {
        var output = Path.GetFullPath(outputDirectory);
        if (!Path.GetFullPath(passResult.ModelPath).StartsWith(output + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(passResult.ModelPath))
        {
            throw new MaasException(MaasErrorKind.Internal, "The pass did not write its model file into its output folder.");
        }

        if (Directory.EnumerateDirectories(output).Any())
        {
            throw new MaasException(MaasErrorKind.Internal, "The pass wrote sub-folders; a version's files are one flat folder.");
        }

        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        long modelBytes = 0;
        foreach (var file in Directory.EnumerateFiles(output))
        {
            paths[Path.GetFileName(file)] = file;
            modelBytes += new FileInfo(file).Length;
        }

        // Everything else the parent carries (vocabulary, labels, samples) comes along unchanged; its old model file
        // and external data do not.
        var parentModel = ModelArtifacts.ModelFiles(parent.Manifest, parentModelPath);
        foreach (var (name, path) in parentFiles)
        {
            if (!parentModel.Contains(name) && !paths.ContainsKey(name))
            {
                paths[name] = path;
            }
        }

        return new ResultFiles(paths, modelBytes);
    }

    private static long ModelBytes(ModelVersionInfo parent, string parentModelPath)
    {
        var names = ModelArtifacts.ModelFiles(parent.Manifest, parentModelPath);
        return parent.Files.Where(f => names.Contains(f.Name)).Sum(f => f.Size);
    }

    private async Task<ModelVersionInfo> PushAsync(
        ModelVersionInfo parent,
        QuantizeParameters parameters,
        JobContext context,
        ModelManifest manifest,
        ResultFiles files,
        Dictionary<string, string> effective,
        VersionReport report)
    {
        var streams = new List<PushFile>(files.Paths.Count);
        try
        {
            foreach (var (name, path) in files.Paths.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                streams.Add(new PushFile(name, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)));
            }

            var request = new PushRequest
            {
                Model = parent.Model,
                Files = streams,
                Manifest = manifest,
                Lineage = Lineage.From(parent.Model, parent.Version, Transform, effective) with { JobId = context.JobId },
                Report = report,
                Alias = parameters.Alias,
                Actor = context.Actor,
            };

            // Not cancellable: the job's cancel point was just before; a push is short and all-or-nothing.
            return await registry.PushAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            foreach (var file in streams)
            {
                await file.Content.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string InputsNote(EvaluationSet inputs) => inputs.Source switch
    {
        EvaluationSet.FromJob => $"Evaluation inputs: {inputs.Count} samples given with the job.",
        EvaluationSet.FromVersion => $"Evaluation inputs: {inputs.Count} samples from the parent's {EvaluationInputs.SamplesFile}.",
        _ => inputs.Kind == EvaluationKind.Tensor
            ? $"Evaluation inputs: {inputs.Count} generated for the signature (image-like inputs: smooth synthetic pictures, Caffe-style pixel values; others: random values)."
            : $"Evaluation inputs: {inputs.Count} built-in {(inputs.Kind == EvaluationKind.TextGeneration ? "prompts" : "varied sentences")}.",
    };

    private static string Summary(ModelVersionInfo version, string method, VersionReport report)
    {
        var parts = new List<string>
        {
            $"{version.Key} ({method})",
            string.Create(CultureInfo.InvariantCulture, $"{(report.ParentArtifactBytes > 0 ? report.ArtifactBytes / (double)report.ParentArtifactBytes : 0):0.00}x size"),
        };
        parts.AddRange(report.Throughput.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Ratio:0.00}x throughput at batch {t.BatchSize}")));
        if (report.Accuracy is { } accuracy)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{accuracy.Metric} mean {accuracy.Mean:0.0000} min {accuracy.Min:0.0000}"));
        }

        return string.Join(", ", parts);
    }

    private sealed record ResultFiles(IReadOnlyDictionary<string, string> Paths, long ModelBytes);
}
