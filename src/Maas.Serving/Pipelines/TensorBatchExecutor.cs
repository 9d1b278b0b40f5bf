using System.Text;
using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Batching;

namespace Maas.Serving.Pipelines;

/// <summary>Merges tensor requests along their first dimension when the model allows it, runs them as one call and
/// splits every output back by rows.</summary>
/// <remarks>
/// A model is batchable when every input and every output has a variable first dimension (the batch dimension).
/// Requests are merged only when they agree on everything else (<see cref="TensorBatchRequest.Signature"/>). If the
/// engine's outputs turn out not to have one row per input row, the batch is run again request by request and the
/// model is no longer merged.
/// </remarks>
internal sealed class TensorBatchExecutor(ITensorModel model) : IBatchExecutor<TensorBatchRequest, InferenceResult>
{
    private readonly Dictionary<string, TensorSpec> _inputs = model.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
    private volatile bool _batchable =
        model.Inputs.Count > 0 && model.Inputs.All(i => i.Shape is [-1, ..]) && model.Outputs.Count > 0 && model.Outputs.All(o => o.Shape is [-1, ..]);

    /// <summary>Describes <paramref name="request"/> for the queue.</summary>
    public TensorBatchRequest Describe(InferenceRequest request)
    {
        if (!_batchable || request.Inputs.Count != _inputs.Count || request.Inputs.Count == 0)
        {
            return new TensorBatchRequest(request, 1, null);
        }

        var rows = request.Inputs[0].Shape is [var first, ..] ? first : -1;
        var signature = new StringBuilder();
        foreach (var input in request.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (!_inputs.TryGetValue(input.Name, out var spec) || spec.DataType != input.DataType || !spec.Accepts(input.Shape)
                || input.Shape.Length == 0 || input.Shape[0] != rows)
            {
                return new TensorBatchRequest(request, 1, null);
            }

            signature.Append(input.Name).Append(':').Append((int)input.DataType).Append(':').AppendJoin(',', input.Shape.Skip(1)).Append(';');
        }

        if (rows < 1 || rows > int.MaxValue)
        {
            return new TensorBatchRequest(request, 1, null);
        }

        signature.Append("->");
        if (request.RequestedOutputs is { } outputs)
        {
            signature.AppendJoin(',', outputs);
        }
        else
        {
            signature.Append('*');
        }

        return new TensorBatchRequest(request, (int)rows, signature.ToString());
    }

    public int Rows(TensorBatchRequest request) => request.Rows;

    public bool CanJoin(TensorBatchRequest head, TensorBatchRequest candidate) =>
        _batchable && head.Signature is not null && string.Equals(head.Signature, candidate.Signature, StringComparison.Ordinal);

    public async ValueTask<IReadOnlyList<InferenceResult>> RunAsync(IReadOnlyList<TensorBatchRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 1)
        {
            var single = batch[0].Request;
            ComputePhases.InputDone();
            var alone = await model.RunAsync(single.Inputs, single.RequestedOutputs, cancellationToken).ConfigureAwait(false);
            ComputePhases.InferDone();
            return [alone];
        }

        var total = batch.Sum(r => r.Rows);
        var head = batch[0].Request;
        var inputs = new List<Tensor>(head.Inputs.Count);
        InferenceResult merged;
        try
        {
            foreach (var input in head.Inputs)
            {
                inputs.Add(Concatenate(input, batch));
            }

            ComputePhases.InputDone();
            merged = await model.RunAsync(inputs, head.RequestedOutputs, cancellationToken).ConfigureAwait(false);
            ComputePhases.InferDone();
        }
        finally
        {
            inputs.ForEach(t => t.Dispose());
        }

        using var _ = merged;
        if (merged.Outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != total))
        {
            // Outputs without one row per input row cannot be split: run these alone and stop merging for this model.
            _batchable = false;
            var alone = new List<InferenceResult>(batch.Count);
            try
            {
                foreach (var request in batch)
                {
                    alone.Add(await model.RunAsync(request.Request.Inputs, request.Request.RequestedOutputs, cancellationToken).ConfigureAwait(false));
                }
            }
            catch
            {
                alone.ForEach(r => r.Dispose());
                throw;
            }

            return alone;
        }

        var results = new InferenceResult[batch.Count];
        var offset = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var rows = batch[i].Rows;
            // Slices share the merged outputs' memory, which is released once the last of them is disposed.
            results[i] = new InferenceResult(merged.Outputs.Select(o => o.Slice(offset, rows)).ToList());
            offset += rows;
        }

        return results;
    }

    private static Tensor Concatenate(Tensor first, IReadOnlyList<TensorBatchRequest> batch)
    {
        var parts = new Tensor[batch.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = batch[i].Request.Inputs.First(input => input.Name == first.Name);
        }

        return Tensor.Concatenate(first.Name, parts);
    }
}
