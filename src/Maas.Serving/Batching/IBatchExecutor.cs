namespace Maas.Serving.Batching;

/// <summary>What a <see cref="BatchQueue{TRequest, TResult}"/> needs from a pipeline: how many rows a request
/// holds, which requests may share an engine call, and how to run a batch of them.</summary>
internal interface IBatchExecutor<TRequest, TResult>
{
    /// <summary>Rows <paramref name="request"/> counts against the batch size (texts, or the first dimension of its tensors).</summary>
    int Rows(TRequest request);

    /// <summary>True when <paramref name="candidate"/> may run in the same engine call as <paramref name="head"/>.</summary>
    bool CanJoin(TRequest head, TRequest candidate);

    /// <summary>Runs the requests as one engine call and returns one result per request, in the same order.</summary>
    ValueTask<IReadOnlyList<TResult>> RunAsync(IReadOnlyList<TRequest> batch, CancellationToken cancellationToken);
}
