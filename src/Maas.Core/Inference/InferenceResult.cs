using Maas.Core.Tensors;

namespace Maas.Core.Inference;

/// <summary>Output tensors of one inference; disposing returns their pooled storage.</summary>
public sealed class InferenceResult(IReadOnlyList<Tensor> outputs) : IDisposable
{
    public IReadOnlyList<Tensor> Outputs { get; } = outputs;

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }
    }
}
