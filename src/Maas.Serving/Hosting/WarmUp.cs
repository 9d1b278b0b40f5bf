using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Pipelines;
using Microsoft.Extensions.Logging;

namespace Maas.Serving.Hosting;

/// <summary>Runs one small inference after loading so the first real request does not pay for lazy initialisation.</summary>
internal static partial class WarmUp
{
    public static async Task RunAsync(IInferencePipeline pipeline, ILogger logger, string key)
    {
        try
        {
            if (pipeline is IEmbeddingPipeline embeddings)
            {
                await embeddings.EmbedAsync(["warm up"]).ConfigureAwait(false);
                return;
            }

            var inputs = pipeline.Inputs.Select(Zeros).ToList();
            using var request = new InferenceRequest { Inputs = inputs };
            using var result = await pipeline.InferAsync(request).ConfigureAwait(false);
        }
        catch (Exception ex) when (pipeline is not IEmbeddingPipeline)
        {
            // A raw tensor graph may reject made-up inputs (fixed values it expects); that does not make it unusable.
            LogSkipped(logger, key, ex.Message);
        }
    }

    private static Tensor Zeros(TensorSpec spec)
    {
        var shape = spec.Shape.Select(d => d < 0 ? 1L : d).ToArray();
        var count = Tensor.CountElements(shape);
        return spec.DataType == TensorDataType.Bytes
            ? Tensor.Create(spec.Name, shape, Enumerable.Repeat(Array.Empty<byte>(), count).ToArray())
            : Tensor.FromBytes(spec.Name, spec.DataType, shape, new byte[count * spec.DataType.ElementSize()]);
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Warm-up of {Key} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string key, string reason);
}
