using System.Diagnostics.Metrics;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Engines.Llama;

/// <summary>Loads GGUF models into llama.cpp (CPU) as <see cref="ITextGenerator"/>s.</summary>
internal sealed class LlamaEngine(IOptions<LlamaEngineOptions> options, ILoggerFactory loggerFactory, IMeterFactory? meterFactory = null) : IModelEngine
{
    /// <summary>The engine name a manifest's <c>engine</c> field uses.</summary>
    public const string EngineName = "llama";

    private readonly ILogger _logger = loggerFactory.CreateLogger<LlamaEngine>();
    private readonly LlamaWeightsCache _cache = new();
    private readonly LlamaMetrics? _metrics = meterFactory is null ? null : new LlamaMetrics(meterFactory);

    public string Name => EngineName;

    /// <summary>The weights this engine holds, shared between a base model and its adapters.</summary>
    internal LlamaWeightsCache WeightsCache => _cache;

    public Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Loading reads (or maps) the whole file and builds the KV cache: keep it off the caller's thread.
        return Task.Run<ILoadedModel>(() => Load(context, cancellationToken), cancellationToken);
    }

    private ILoadedModel Load(ModelLoadContext context, CancellationToken cancellationToken)
    {
        LlamaNativeLibrary.EnsureInitialized(loggerFactory.CreateLogger("Maas.Engines.Llama.Native"));
        var path = context.ModelPath;
        if (!File.Exists(path))
        {
            throw MaasException.NotFound($"The model file of {context.Key} is missing.");
        }

        var settings = options.Value;
        var threads = EffectiveThreads(context.Settings.IntraOpThreads, Environment.ProcessorCount);
        var sequences = Sequences(context.Settings);
        var cachedPrefixes = CachedPrefixes(settings, sequences);
        if (threads > 1 && !string.Equals(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), "PASSIVE", StringComparison.OrdinalIgnoreCase))
        {
            LlamaLog.SpinningThreads(_logger, threads);
        }

        var parameters = new ModelParams(path)
        {
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            SeqMax = (uint)(sequences + cachedPrefixes),

            // One cell pool for all sequences (llama.cpp would otherwise split the context evenly per sequence).
            KVUnified = true,
        };

        using var capture = LlamaLogCapture.Begin();
        if (context.Manifest.Task == ModelTasks.Embeddings)
        {
            LLamaWeights weights;
            try
            {
                weights = LLamaWeights.LoadFromFile(parameters);
            }
            catch (RuntimeError ex)
            {
                throw LoadFailed(context, capture, ex);
            }

            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return LoadEmbedder(context, capture, weights, parameters);
            }
            catch
            {
                weights.Dispose();
                throw;
            }
        }

        return LoadGenerator(context, capture, parameters, settings, sequences, cachedPrefixes, threads, cancellationToken);
    }

    /// <summary>A generator over shared weights (<see cref="LlamaWeightsCache"/>) with its own context; an adapter
    /// version loads its base's weights (or shares them when loaded) and applies the adapter to its context only.</summary>
    private LlamaTextGenerator LoadGenerator(
        ModelLoadContext context, LlamaLogCapture capture, ModelParams parameters, LlamaEngineOptions settings, int sequences, int cachedPrefixes, int threads, CancellationToken cancellationToken)
    {
        var adapterPath = AdapterProperties.IsAdapter(context.Manifest) ? context.ModelPath : null;
        if (adapterPath is not null)
        {
            var baseFile = context.Manifest.Properties[AdapterProperties.BaseFile];
            parameters.ModelPath = context.Files.TryGetValue(baseFile, out var basePath) && File.Exists(basePath)
                ? basePath
                : throw MaasException.NotFound($"The base model file '{baseFile}' of adapter {context.Key} is missing.");

            // LLamaSharp does not surface llama.cpp's refusal (it wraps a null adapter), so check what llama.cpp checks first.
            if (AdapterMismatch(adapterPath, basePath) is { } mismatch)
            {
                LlamaLog.LoadFailed(_logger, context.Key, mismatch);
                throw MaasException.InvalidArgument($"LoRA adapter {context.Key} does not fit its base model: {mismatch}.");
            }
        }

        LlamaWeightsLease lease;
        try
        {
            lease = _cache.Acquire(parameters);
        }
        catch (RuntimeError ex)
        {
            throw LoadFailed(context, capture, ex);
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var weights = lease.Weights;
            if (adapterPath is not null)
            {
                try
                {
                    _cache.AttachAdapter(lease, adapterPath);
                }
                catch (Exception ex) when (ex is RuntimeError or InvalidOperationException)
                {
                    throw LoadFailed(context, capture, ex);
                }
            }

            var cells = ContextCells(settings, sequences, weights.ContextSize);
            parameters.ContextSize = (uint)cells;

            // The logical batch is the whole context so that one step is always one llama_decode call.
            parameters.BatchSize = (uint)cells;
            parameters.UBatchSize = (uint)Math.Min(settings.BatchSize, cells);
            LLamaContext llamaContext;
            try
            {
                llamaContext = weights.CreateContext(parameters);
            }
            catch (RuntimeError ex)
            {
                throw LoadFailed(context, capture, ex);
            }

            try
            {
                if (lease.Adapter is { } adapter)
                {
                    // Per context: other contexts over the same weights (the base, other adapters) are unaffected.
                    llamaContext.NativeHandle.SetLoraAdapters([(adapter, 1f)]);
                }

                var generator = new LlamaTextGenerator(context.Key, weights, llamaContext, _logger, sequences, cachedPrefixes, lease, _metrics);
                LlamaLog.Loaded(_logger, context.Key, weights.ParameterCount, generator.Info.KvCacheCapacity, generator.Info.MaxSequences, threads);
                if (adapterPath is not null)
                {
                    LlamaLog.AdapterApplied(_logger, context.Key, !lease.CountsWeights);
                }

                return generator;
            }
            catch
            {
                llamaContext.Dispose();
                throw;
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private LlamaTextEmbedder LoadEmbedder(ModelLoadContext context, LlamaLogCapture capture, LLamaWeights weights, ModelParams parameters)
    {
        // One text per decode; the model's own pooling type applies (Unspecified = as the file says).
        parameters.Embeddings = true;
        parameters.SeqMax = 1;
        parameters.ContextSize = (uint)Math.Max(weights.ContextSize, 1);
        parameters.BatchSize = parameters.ContextSize.Value;
        parameters.UBatchSize = parameters.ContextSize.Value;
        try
        {
            var embedder = new LLamaEmbedder(weights, parameters, _logger);
            LlamaLog.Loaded(_logger, context.Key, weights.ParameterCount, (int)parameters.ContextSize.Value, 1, parameters.Threads ?? 1);
            return new LlamaTextEmbedder(weights, embedder);
        }
        catch (RuntimeError ex)
        {
            throw LoadFailed(context, capture, ex);
        }
    }

    private static string? AdapterMismatch(string adapterPath, string basePath)
    {
        try
        {
            return LoraGguf.Mismatch(GgufReader.Read(adapterPath), GgufReader.Read(basePath));
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    /// <summary>The KV cells to allocate: the configured size, but never more than every sequence at the model's
    /// trained context length could use.</summary>
    internal static int ContextCells(LlamaEngineOptions settings, int sequences, int trainedContextLength)
    {
        var cells = settings.ContextSize;
        if (trainedContextLength > 0)
        {
            cells = (int)Math.Min(cells, (long)trainedContextLength * sequences);
        }

        return cells;
    }

    /// <summary>Sequences decoded together: the deployment's max batch size, within llama.cpp's limit of 256.</summary>
    internal static int Sequences(DeploymentSettings settings) => Math.Clamp(settings.MaxBatchSize, 1, 256);

    /// <summary>Sequence ids kept for cached prefixes: none when prefix caching is off, and never past llama.cpp's
    /// limit of 256 ids in all.</summary>
    internal static int CachedPrefixes(LlamaEngineOptions settings, int sequences) =>
        settings.PrefixCache ? Math.Clamp(settings.PrefixCacheSequences, 0, 256 - sequences) : 0;

    /// <summary>Threads per decode: the deployment's intra-op threads, or for 0 the automatic choice:
    /// 1 on machines with 2 cores or fewer (OpenMP threads busy-wait and fight the server's own threads there),
    /// else the core count.</summary>
    /// <remarks>With more than one thread, start the process with <c>OMP_WAIT_POLICY=PASSIVE</c>: OpenMP reads it
    /// once when the native library loads, so setting it from inside the process has no effect.</remarks>
    internal static int EffectiveThreads(int intraOpThreads, int processorCount) =>
        intraOpThreads > 0 ? intraOpThreads : processorCount <= 2 ? 1 : processorCount;

    private MaasException LoadFailed(ModelLoadContext context, LlamaLogCapture capture, Exception exception)
    {
        // llama.cpp names the file by its local path; the client knows it by its logical name.
        var reason = capture.Reason(exception.Message).Replace(context.ModelPath, context.Manifest.ModelFile, StringComparison.Ordinal);
        LlamaLog.LoadFailed(_logger, context.Key, reason);
        return new MaasException(MaasErrorKind.InvalidArgument, $"llama.cpp could not load {context.Key}: {reason}", exception);
    }
}
