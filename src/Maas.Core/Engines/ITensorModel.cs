using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.Core.Engines;

/// <summary>A model that maps named input tensors to named output tensors in one call.</summary>
/// <remarks>
/// Inputs whose first dimension is variable can be concatenated along it by a dynamic batcher that sits
/// between the pipeline and this interface; the engine does not need to know.
/// </remarks>
public interface ITensorModel : ILoadedModel
{
    /// <summary>Runs the model. <paramref name="outputs"/> null means all outputs. Cancellation stops the run.</summary>
    ValueTask<InferenceResult> RunAsync(
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string>? outputs,
        CancellationToken cancellationToken = default);
}
