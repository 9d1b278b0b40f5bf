using Maas.Core.Inference;

namespace Maas.Serving.Pipelines;

/// <summary>A tensor request in the queue: its rows (first dimension) and, when it may be merged with others, a
/// signature that requests must share to be concatenated (input names, types, dimensions after the first, outputs).</summary>
/// <param name="Request">The caller's request; its inputs stay the caller's.</param>
/// <param name="Rows">Rows along the first dimension (1 for a request that runs alone).</param>
/// <param name="Signature">Null when the request must run alone (the model's first dimension is fixed, or the request
/// does not fit the model's inputs and should fail on its own).</param>
internal sealed record TensorBatchRequest(InferenceRequest Request, int Rows, string? Signature);
