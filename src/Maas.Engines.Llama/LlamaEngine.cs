using LLama;
using LLama.Common;
using LLama.Exceptions;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Engines.Llama;

/// <summary>Loads GGUF models into llama.cpp (CPU) as <see cref="ITextGenerator"/>s.</summary>
internal sealed class LlamaEngine(IOptions<LlamaEngineOptions> options, ILoggerFactory loggerFactory) : IModelEngine
{
    /// <summary>The engine name a manifest's <c>engine</c> field uses.</summary>
    public const string EngineName = "llama";

    private readonly ILogger _logger = loggerFactory.CreateLogger<LlamaEngine>();

    public string Name => EngineName;

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
            if (context.Manifest.Task == Maas.Core.Models.ModelTasks.Embeddings)
            {
                return LoadEmbedder(context, capture, weights, parameters);
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
                var generator = new LlamaTextGenerator(context.Key, weights, llamaContext, _logger, sequences, cachedPrefixes);
                LlamaLog.Loaded(_logger, context.Key, weights.ParameterCount, generator.Info.KvCacheCapacity, generator.Info.MaxSequences, threads);
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
            weights.Dispose();
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
