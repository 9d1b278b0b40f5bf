using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Registry.Abstractions;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.Optimization.Evaluation;

/// <summary>Loads a parent and its derived model through the engine contract with the same settings and measures them
/// side by side: throughput at batch 1 and the large batch (interleaved rounds, medians) and agreement on the
/// evaluation inputs.</summary>
internal sealed class ReportMeasurer(IEnumerable<IModelEngine> engines, IServiceProvider services, TimeProvider time, IOptions<ReportOptions> options)
{
    private const int MaxSequencesMeasured = 8;

    private readonly ReportOptions _options = options.Value;
    private readonly TimeProvider _time = time;

    public async Task<Measurement> MeasureAsync(
        MeasuredModel parent,
        MeasuredModel result,
        EvaluationSet inputs,
        Action<double, string> progress,
        CancellationToken cancellationToken)
    {
        var settings = new DeploymentSettings
        {
            Instances = 1,
            IntraOpThreads = 0,
            MaxBatchSize = inputs.Kind == EvaluationKind.TextGeneration ? MaxSequencesMeasured : Math.Max(1, _options.LargeBatch),
            MaxQueue = 64,
            MaxQueueDelay = TimeSpan.Zero,
            Preload = false,
        };
        progress(0, "loading parent and result");
        var parentContext = new ModelLoadContext(parent.Key, parent.Manifest, parent.Files, settings);
        var resultContext = new ModelLoadContext(result.Key, result.Manifest, result.Files, settings);
        // Whoever disposes each side: the model, or the pipeline built around it (which disposes the model).
        IAsyncDisposable? parentOwner = null;
        IAsyncDisposable? resultOwner = null;
        try
        {
            var parentModel = await LoadAsync(parentContext, cancellationToken).ConfigureAwait(false);
            parentOwner = parentModel;
            var resultModel = await LoadAsync(resultContext, cancellationToken).ConfigureAwait(false);
            resultOwner = resultModel;
            var scope = new MeasureScope(this, progress, inputs, cancellationToken);
            switch (inputs.Kind)
            {
                case EvaluationKind.TextEmbedding:
                    var factory = services.GetService<PipelineFactory>()
                        ?? throw MaasException.Unavailable("The serving pipelines are not registered; the report measures an embeddings model through them.");
                    var parentPipeline = (IEmbeddingPipeline)factory.Create(parentModel, parentContext);
                    parentOwner = parentPipeline;
                    var resultPipeline = (IEmbeddingPipeline)factory.Create(resultModel, resultContext);
                    resultOwner = resultPipeline;
                    return await scope.EmbeddingPipelinesAsync(parentPipeline, resultPipeline).ConfigureAwait(false);
                case EvaluationKind.TextEmbedder:
                    return await scope.TextEmbeddersAsync(As<ITextEmbedder>(parentModel, parent.Key), As<ITextEmbedder>(resultModel, result.Key)).ConfigureAwait(false);
                case EvaluationKind.TextGeneration:
                    return await scope.GeneratorsAsync(As<ITextGenerator>(parentModel, parent.Key), As<ITextGenerator>(resultModel, result.Key)).ConfigureAwait(false);
                default:
                    return await scope.TensorModelsAsync(As<ITensorModel>(parentModel, parent.Key), As<ITensorModel>(resultModel, result.Key), parent.Manifest).ConfigureAwait(false);
            }
        }
        finally
        {
            if (resultOwner is not null)
            {
                await resultOwner.DisposeAsync().ConfigureAwait(false);
            }

            if (parentOwner is not null)
            {
                await parentOwner.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Loads an ONNX file (e.g. a pass's intermediate graph) as a tensor model through the engine contract,
    /// with the parent's manifest otherwise; the caller disposes it.</summary>
    public async Task<ITensorModel> LoadTensorModelAsync(ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var context = new ModelLoadContext(
            $"calibration:{name}",
            manifest with { ModelFile = name },
            new Dictionary<string, string>(StringComparer.Ordinal) { [name] = path },
            new DeploymentSettings { Instances = 1, Preload = false });
        var model = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        if (model is ITensorModel tensorModel)
        {
            return tensorModel;
        }

        await model.DisposeAsync().ConfigureAwait(false);
        throw MaasException.InvalidArgument($"{name} did not load as a tensor model.");
    }

    /// <summary>The machine line of a report: cores, CPU model and the inference engines' versions.</summary>
    public static string Machine()
    {
        var cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                cpu = File.ReadLines("/proc/cpuinfo")
                    .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                    .Split(':', 2)[1].Trim() ?? cpu;
            }
        }
        catch (IOException)
        {
            // The CPU model is informative only.
        }

        var engineVersions = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name is "Microsoft.ML.OnnxRuntime" or "LLamaSharp")
            .Select(a => $"{(a.GetName().Name == "LLamaSharp" ? "LLamaSharp (llama.cpp)" : "ONNX Runtime")} {Version(a)}")
            .Distinct()
            .Order(StringComparer.Ordinal);
        return $"{Environment.ProcessorCount} cores, {cpu}, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}; {string.Join(", ", engineVersions)}".TrimEnd(' ', ';');
    }

    /// <summary>The package version (informational version without the commit), else the assembly version.</summary>
    private static string Version(System.Reflection.Assembly assembly)
    {
        var informational = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion;
        var version = string.IsNullOrEmpty(informational) ? assembly.GetName().Version?.ToString() : informational.Split('+')[0];
        return version is null or "0.0.0.0" or "0.0.0" ? "(version not stamped)" : version;
    }

    private async Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        var engine = engines.FirstOrDefault(e => e.Name == context.Manifest.Engine)
            ?? throw MaasException.InvalidArgument($"No engine '{context.Manifest.Engine}' is registered to load {context.Key}.");
        return await engine.LoadAsync(context, cancellationToken).ConfigureAwait(false);
    }

    private static T As<T>(ILoadedModel model, string key)
        where T : class =>
        model as T ?? throw MaasException.InvalidArgument($"{key} loaded as {model.GetType().Name}, not the {typeof(T).Name} its task needs.");

    /// <summary>The state of one measurement: where progress goes and the inputs.</summary>
    private sealed class MeasureScope(ReportMeasurer owner, Action<double, string> progress, EvaluationSet inputs, CancellationToken cancellationToken)
    {
        private readonly ReportOptions _options = owner._options;
        private readonly InterleavedThroughput _meter = new(owner._time, Math.Max(1, owner._options.Rounds), owner._options.MeasurementTime);

        public async Task<Measurement> TensorModelsAsync(ITensorModel parent, ITensorModel result, ModelManifest manifest)
        {
            var notes = new List<string> { "Throughput: the model call with the evaluation inputs' first sample (batch 1) and that sample repeated (large batch); rows per second, medians of interleaved rounds." };
            progress(0.05, "comparing outputs");
            var classifier = manifest.Task == ModelTasks.Classification || manifest.Labels.Count > 0
                || manifest.PostProcessing.Any(s => s.Name == ProcessingSteps.Softmax);
            var scores = new List<double>(inputs.Feeds.Count);
            for (var i = 0; i < inputs.Feeds.Count; i++)
            {
                using var a = await parent.RunAsync(inputs.Feeds[i], null, cancellationToken).ConfigureAwait(false);
                using var b = await result.RunAsync(inputs.Feeds[i], null, cancellationToken).ConfigureAwait(false);
                if (classifier)
                {
                    var (agree, rows) = Top1(a.Outputs, b.Outputs);
                    for (var r = 0; r < rows; r++)
                    {
                        scores.Add(r < agree ? 1 : 0);
                    }
                }
                else
                {
                    scores.Add(Agreement.CosineSimilarity(Flatten(a.Outputs), Flatten(b.Outputs)));
                }

                progress(0.05 + (0.25 * (i + 1) / inputs.Feeds.Count), "comparing outputs");
            }

            var accuracy = Summarize(classifier ? Agreement.Top1 : Agreement.Cosine, scores);
            if (classifier)
            {
                notes.Add("Accuracy: top-1 agreement of the first output's class dimension (per row).");
            }

            var throughput = new List<ThroughputComparison>();
            var single = inputs.Feeds[0];
            throughput.Add(await CompareAsync(1, ct => RunRows(parent, single, ct), ct => RunRows(result, single, ct), 0.3, 0.65).ConfigureAwait(false));
            var large = _options.LargeBatch;
            if (large > 1 && BatchIsSymbolic(parent) && BatchIsSymbolic(result))
            {
                var tiled = single.Select(t => TensorValues.Tile(t, large)).ToList();
                throughput.Add(await CompareAsync(large, ct => RunRows(parent, tiled, ct), ct => RunRows(result, tiled, ct), 0.65, 1.0).ConfigureAwait(false));
            }
            else if (large > 1)
            {
                notes.Add($"Batch {large} not measured: the model's batch dimension is fixed (inputs {string.Join(", ", parent.Inputs.Select(i => i.Name + " " + i.ShapeText))}).");
            }

            return new Measurement(throughput, accuracy, notes);
        }

        public Task<Measurement> EmbeddingPipelinesAsync(IEmbeddingPipeline parent, IEmbeddingPipeline result) =>
            EmbeddersAsync(
                (texts, ct) => Embed(parent, texts, ct),
                (texts, ct) => Embed(result, texts, ct),
                "Throughput: what is served, through the serving pipeline: WordPiece tokenization + encoder + mean pooling + L2 normalization; texts per second.");

        public Task<Measurement> TextEmbeddersAsync(ITextEmbedder parent, ITextEmbedder result) =>
            EmbeddersAsync(
                async (texts, ct) => (await parent.EmbedAsync(texts, ct).ConfigureAwait(false)).Vectors,
                async (texts, ct) => (await result.EmbedAsync(texts, ct).ConfigureAwait(false)).Vectors,
                "Throughput: the engine's own tokenize + embed call; texts per second.");

        public async Task<Measurement> GeneratorsAsync(ITextGenerator parent, ITextGenerator result)
        {
            var tokens = Math.Max(1, _options.GeneratedTokens);
            var notes = new List<string>
            {
                $"Accuracy: greedy decoding of {tokens} tokens per prompt with both; agreement = common prefix / longer continuation.",
                $"Throughput: tokens per second generating {tokens} tokens greedily (prompt decode included); the large batch is {MaxSequencesMeasured} sequences stepped together.",
            };
            var scores = new List<double>(inputs.Texts.Count);
            for (var i = 0; i < inputs.Texts.Count; i++)
            {
                var a = await GenerateAsync(parent, [inputs.Texts[i]], tokens, cancellationToken).ConfigureAwait(false);
                var b = await GenerateAsync(result, [inputs.Texts[i]], tokens, cancellationToken).ConfigureAwait(false);
                scores.Add(Agreement.TokenPrefixAgreement(a.Tokens[0], b.Tokens[0]));
                progress(0.3 * (i + 1) / inputs.Texts.Count, "comparing greedy tokens");
            }

            var prompt = inputs.Texts[0];
            var batch = Enumerable.Range(0, MaxSequencesMeasured).Select(i => inputs.Texts[i % inputs.Texts.Count]).ToArray();
            var throughput = new List<ThroughputComparison>
            {
                await CompareAsync(1, async ct => (await GenerateAsync(parent, [prompt], tokens, ct).ConfigureAwait(false)).Count, async ct => (await GenerateAsync(result, [prompt], tokens, ct).ConfigureAwait(false)).Count, 0.3, 0.65).ConfigureAwait(false),
                await CompareAsync(MaxSequencesMeasured, async ct => (await GenerateAsync(parent, batch, tokens, ct).ConfigureAwait(false)).Count, async ct => (await GenerateAsync(result, batch, tokens, ct).ConfigureAwait(false)).Count, 0.65, 1.0).ConfigureAwait(false),
            };
            return new Measurement(throughput, Summarize(Agreement.GreedyTokens, scores), notes);
        }

        private async Task<Measurement> EmbeddersAsync(
            Func<IReadOnlyList<string>, CancellationToken, Task<float[]>> parent,
            Func<IReadOnlyList<string>, CancellationToken, Task<float[]>> result,
            string throughputNote)
        {
            var texts = inputs.Texts;

            // Accuracy is each text embedded alone by both (what a request of one text gets); the same texts in padded
            // batches are compared too and given in a note, since a quantized model's activation ranges can be shared
            // by a whole batch (dynamic int8 quantizes per tensor), so a short text in a batch of long ones can differ more.
            var scores = new List<double>(texts.Count);
            for (var i = 0; i < texts.Count; i++)
            {
                var a = await parent([texts[i]], cancellationToken).ConfigureAwait(false);
                var b = await result([texts[i]], cancellationToken).ConfigureAwait(false);
                if (b.Length != a.Length)
                {
                    throw MaasException.InvalidArgument($"The result's vectors have {b.Length} dimensions, the parent's {a.Length}.");
                }

                scores.Add(Agreement.CosineSimilarity(a, b));
                progress(0.15 * (i + 1) / texts.Count, "comparing embeddings");
            }

            var batchedScores = new List<double>(texts.Count);
            var chunk = Math.Max(1, _options.LargeBatch);
            for (var start = 0; start < texts.Count; start += chunk)
            {
                var part = texts.Skip(start).Take(chunk).ToArray();
                var a = await parent(part, cancellationToken).ConfigureAwait(false);
                var b = await result(part, cancellationToken).ConfigureAwait(false);
                var dims = a.Length / part.Length;
                if (b.Length != a.Length)
                {
                    throw MaasException.InvalidArgument($"The result's vectors have {b.Length / part.Length} dimensions, the parent's {dims}.");
                }

                for (var i = 0; i < part.Length; i++)
                {
                    batchedScores.Add(Agreement.CosineSimilarity(a.AsSpan(i * dims, dims), b.AsSpan(i * dims, dims)));
                }

                progress(0.15 + (0.15 * Math.Min(texts.Count, start + chunk) / texts.Count), "comparing embeddings in batches");
            }

            var batchedNote = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"Accuracy: cosine of each text embedded alone; in batches of up to {chunk} (padded): mean {batchedScores.Average():F4}, min {batchedScores.Min():F4}.");

            // A batch-1 call embeds the same few texts one request at a time, so both sides see the same mix of lengths;
            // both batches take texts spread over the whole set, short and long alike.
            var singles = Spread(texts, Math.Min(8, texts.Count));
            var large = Spread(texts, Math.Max(1, _options.LargeBatch));
            async Task<int> OneByOne(Func<IReadOnlyList<string>, CancellationToken, Task<float[]>> embed, CancellationToken ct)
            {
                foreach (var text in singles)
                {
                    await embed([text], ct).ConfigureAwait(false);
                }

                return singles.Length;
            }

            var throughput = new List<ThroughputComparison>
            {
                await CompareAsync(1, ct => OneByOne(parent, ct), ct => OneByOne(result, ct), 0.3, 0.65).ConfigureAwait(false),
            };
            if (large.Length > 1)
            {
                throughput.Add(await CompareAsync(large.Length, async ct => { await parent(large, ct).ConfigureAwait(false); return large.Length; }, async ct => { await result(large, ct).ConfigureAwait(false); return large.Length; }, 0.65, 1.0).ConfigureAwait(false));
            }

            return new Measurement(throughput, Summarize(Agreement.Cosine, scores), [throughputNote, batchedNote]);
        }

        /// <summary><paramref name="count"/> texts evenly spaced over <paramref name="texts"/> (repeating when fewer).</summary>
        private static string[] Spread(IReadOnlyList<string> texts, int count) =>
            [.. Enumerable.Range(0, count).Select(i => texts[count <= texts.Count ? (int)((long)i * texts.Count / count) : i % texts.Count])];

        private async Task<ThroughputComparison> CompareAsync(int batch, InterleavedThroughput.Call parent, InterleavedThroughput.Call result, double from, double to)
        {
            progress(from, $"measuring throughput at batch {batch}");
            var (parentRate, resultRate) = await _meter.MeasureAsync(parent, result, cancellationToken).ConfigureAwait(false);
            progress(to, $"measured throughput at batch {batch}");
            return new ThroughputComparison(batch, parentRate, resultRate);
        }

        private AccuracyComparison? Summarize(string metric, List<double> scores) =>
            scores.Count == 0 ? null : new AccuracyComparison(metric, scores.Average(), scores.Min(), scores.Count, inputs.Source);

        private static async Task<int> RunRows(ITensorModel model, IReadOnlyList<Tensor> feeds, CancellationToken cancellationToken)
        {
            using var output = await model.RunAsync(feeds, null, cancellationToken).ConfigureAwait(false);
            return feeds.Count == 0 || feeds[0].Shape.Length == 0 ? 1 : (int)feeds[0].Shape[0];
        }

        private static async Task<float[]> Embed(IEmbeddingPipeline pipeline, IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            (await pipeline.EmbedAsync(texts, cancellationToken).ConfigureAwait(false)).Vectors;

        private static bool BatchIsSymbolic(ITensorModel model) => model.Inputs.Count > 0 && model.Inputs.All(i => i.Shape.Count > 0 && i.Shape[0] < 0);

        private static double[] Flatten(IReadOnlyList<Tensor> outputs) =>
            [.. outputs.Where(o => TensorValues.IsNumeric(o.DataType)).SelectMany(TensorValues.ToDoubles)];

        private static (int Agree, int Rows) Top1(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
        {
            var index = Enumerable.Range(0, a.Count).FirstOrDefault(i => a[i].Shape.Length >= 2 && a[i].Shape[^1] > 1 && TensorValues.IsNumeric(a[i].DataType), -1);
            if (index < 0)
            {
                throw MaasException.InvalidArgument("Top-1 agreement needs an output with a class dimension ([batch, classes]).");
            }

            var x = TensorValues.ToDoubles(a[index]);
            var y = TensorValues.ToDoubles(b[index]);
            var classes = (int)a[index].Shape[^1];
            var rows = x.Length / classes;
            var agree = 0;
            for (var r = 0; r < rows; r++)
            {
                if (Agreement.ArgMax(x.AsSpan(r * classes, classes)) == Agreement.ArgMax(y.AsSpan(r * classes, classes)))
                {
                    agree++;
                }
            }

            return (agree, rows);
        }

        private static async Task<(List<int>[] Tokens, int Count)> GenerateAsync(ITextGenerator generator, IReadOnlyList<string> prompts, int tokens, CancellationToken cancellationToken)
        {
            var greedy = new SamplingOptions { Temperature = 0, Seed = 1 };
            var sequences = new List<IGenerationSequence>(prompts.Count);
            var outputs = prompts.Select(_ => new List<int>(tokens)).ToArray();
            try
            {
                foreach (var prompt in prompts)
                {
                    sequences.Add(generator.StartSequence(generator.Tokenize(prompt, addSpecialTokens: true), greedy));
                }

                var active = Enumerable.Range(0, prompts.Count).ToList();
                var produced = 0;
                var endTokens = generator.Info.EndOfGenerationTokens;
                for (var step = 0; step < tokens && active.Count > 0; step++)
                {
                    var sampled = await generator.StepAsync([.. active.Select(i => sequences[i])], cancellationToken).ConfigureAwait(false);
                    var still = new List<int>(active.Count);
                    for (var j = 0; j < active.Count; j++)
                    {
                        var token = sampled[j].TokenId;
                        produced++;
                        if (endTokens.Contains(token))
                        {
                            continue;
                        }

                        outputs[active[j]].Add(token);
                        still.Add(active[j]);
                    }

                    active = still;
                }

                return (outputs, produced);
            }
            finally
            {
                foreach (var sequence in sequences)
                {
                    sequence.Dispose();
                }
            }
        }
    }
}
