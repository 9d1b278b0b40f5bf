using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Pipelines;

namespace Maas.UnitTests.Serving;

public sealed class PipelineSignatureTests
{
    [Fact]
    public void Describe_TextEmbeddingsManifest_GivesTextInEmbeddingOutLikeTheLoadedPipeline()
    {
        var manifest = new ModelManifest
        {
            Task = ModelTasks.Embeddings,
            Inputs = [new("input_ids", TensorDataType.Int64, [-1, -1]), new("attention_mask", TensorDataType.Int64, [-1, -1])],
            Outputs = [new("last_hidden_state", TensorDataType.Fp32, [-1, -1, 384])],
            PostProcessing = [new(ProcessingSteps.MeanPooling, new Dictionary<string, string> { ["output"] = "last_hidden_state" })],
        };

        var (inputs, outputs) = PipelineSignature.Describe(manifest);

        Assert.Equal(new TensorSpec("text", TensorDataType.Bytes, [-1]).ToString(), Assert.Single(inputs).ToString());
        var embedding = Assert.Single(outputs);
        Assert.Equal("embedding", embedding.Name);
        Assert.Equal([-1L, 384L], embedding.Shape);
    }

    [Fact]
    public void Describe_TensorManifest_GivesTheGraphSignature()
    {
        var manifest = new ModelManifest { Inputs = [new("x", TensorDataType.Fp32, [-1, 3])], Outputs = [new("y", TensorDataType.Fp32, [-1, 3])] };

        var (inputs, outputs) = PipelineSignature.Describe(manifest);

        Assert.Same(manifest.Inputs, inputs);
        Assert.Same(manifest.Outputs, outputs);
    }
}
