using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>Loads ONNX models into ONNX Runtime (CPU), one <see cref="InferenceSession"/> per loaded version.</summary>
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
        using var sessionOptions = CreateSessionOptions(context.Settings);
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            LogLoadFailed(logger, context.Key, ex.Message);
            throw new MaasException(MaasErrorKind.Unavailable, $"ONNX Runtime could not load {context.Key}: {ex.Message}", ex);
        }

        try
        {
            // Weights dominate a session's memory: estimate it by the files (model and external data) it was built from.
            var memory = context.Files.Values.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
            var model = new OnnxTensorModel(context.Key, session, memory);
            LogLoaded(logger, context.Key, model.Inputs.Count, model.Outputs.Count, context.Settings.IntraOpThreads);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private SessionOptions CreateSessionOptions(DeploymentSettings settings)
    {
        var sessionOptions = new SessionOptions
        {
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(0, settings.IntraOpThreads),
            InterOpNumThreads = 1,
            GraphOptimizationLevel = options.Value.GraphOptimization switch
            {
                "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.Value.AllowSpinning ? "1" : "0");
        return sessionOptions;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "ONNX model {Key} loaded: {Inputs} inputs, {Outputs} outputs, {Threads} intra-op threads")]
    private static partial void LogLoaded(ILogger logger, string key, int inputs, int outputs, int threads);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "ONNX model {Key} failed to load: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string key, string reason);
}
