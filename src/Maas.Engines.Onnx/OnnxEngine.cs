using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>Loads ONNX models into ONNX Runtime (CPU): one <see cref="InferenceSession"/> per loaded version with a fixed
/// thread count, or two (all cores / one thread) when the deployment's intra-op threads are adaptive (0).</summary>
internal sealed partial class OnnxEngine(IOptions<OnnxEngineOptions> options, ILogger<OnnxEngine> logger) : IModelEngine
{
    public string Name => ModelFormats.Onnx;

    public Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken = default)
    {
        // Session creation reads and optimises the whole graph: seconds for big models, so keep it off the caller's thread.
        return Task.Run<ILoadedModel>(() => Load(context), cancellationToken);
    }

    private OnnxTensorModel Load(ModelLoadContext context)
    {
        var path = context.ModelPath;
        var threads = context.Settings.IntraOpThreads;
        var cores = Environment.ProcessorCount;

        // Adaptive (0): a wide session that uses every core for a call that runs alone, and a narrow one (1 thread)
        // for calls that overlap, so a lone request gets the whole machine and many do not oversubscribe it.
        var adaptive = threads <= 0 && cores > 1;
        var wide = CreateSession(context, adaptive ? cores : Math.Max(1, threads));
        InferenceSession? narrow = null;
        try
        {
            if (adaptive)
            {
                narrow = CreateSession(context, 1);
            }

            // Weights dominate a session's memory: estimate it by the files (model and external data) it was built
            // from, once per session.
            var files = context.Files.Values.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
            var model = new OnnxTensorModel(context.Key, wide, narrow, files * (narrow is null ? 1 : 2));
            LogLoaded(logger, context.Key, model.Inputs.Count, model.Outputs.Count, adaptive ? $"adaptive ({cores} alone, 1 under concurrency)" : Math.Max(1, threads).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return model;
        }
        catch
        {
            wide.Dispose();
            narrow?.Dispose();
            throw;
        }
    }

    private InferenceSession CreateSession(ModelLoadContext context, int threads)
    {
        using var sessionOptions = CreateSessionOptions(options.Value, threads);
        try
        {
            return new InferenceSession(context.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            // ONNX Runtime names the file by its path in the artifact store; clients know it by its logical name.
            var reason = ex.Message.Replace(context.ModelPath, context.Manifest.ModelFile, StringComparison.Ordinal);
            LogLoadFailed(logger, context.Key, reason);
            throw new MaasException(MaasErrorKind.Unavailable, $"ONNX Runtime could not load {context.Key}: {reason}", ex);
        }
    }

    /// <summary>The session options every session of this engine is built with (also used by the benchmarks that
    /// measure bare ONNX Runtime, so both run the same configuration).</summary>
    internal static SessionOptions CreateSessionOptions(OnnxEngineOptions settings, int threads)
    {
        var sessionOptions = new SessionOptions
        {
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = settings.GraphOptimization switch
            {
                "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", settings.AllowSpinning ? "1" : "0");
        return sessionOptions;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "ONNX model {Key} loaded: {Inputs} inputs, {Outputs} outputs, {Threads} intra-op threads")]
    private static partial void LogLoaded(ILogger logger, string key, int inputs, int outputs, string threads);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "ONNX model {Key} failed to load: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string key, string reason);
}
