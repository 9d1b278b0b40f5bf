using Maas.Core.Models;
using Maas.Core.Tensors;

namespace Maas.Serving.Pipelines;

/// <summary>The inputs and outputs a version's pipeline will have, worked out from its manifest alone, so metadata
/// can be answered without loading the model.</summary>
/// <remarks>Must agree with what the pipelines report once loaded (<see cref="IInferencePipeline.Inputs"/>): a tensor
/// or classification model shows its graph's signature, a text embeddings model the <c>text</c> → <c>embedding</c>
/// view of <see cref="EmbeddingPipeline"/>.</remarks>
public static class PipelineSignature
{
    public static (IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs) Describe(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Task != ModelTasks.Embeddings || manifest.Format != ModelFormats.Onnx)
        {
            return (manifest.Inputs, manifest.Outputs);
        }

        var pooling = manifest.PostProcessing.FirstOrDefault(s => s.Name == ProcessingSteps.MeanPooling);
        var tokenOutput = pooling?.Get("output", string.Empty) is { Length: > 0 } named
            ? manifest.Outputs.FirstOrDefault(o => o.Name == named)
            : manifest.Outputs.FirstOrDefault(o => o.Shape.Count == 3 && o.DataType == TensorDataType.Fp32);
        var dimensions = tokenOutput is { Shape.Count: 3 } ? tokenOutput.Shape[2] : -1;
        return ([new TensorSpec(TextInput.Name, TensorDataType.Bytes, [-1])],
            [new TensorSpec(EmbeddingPipeline.EmbeddingOutput, TensorDataType.Fp32, [-1, dimensions])]);
    }
}
