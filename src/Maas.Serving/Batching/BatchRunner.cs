using System.Diagnostics;
using Maas.Core.Errors;
using Maas.Serving.Metrics;
using Maas.Serving.Tracing;

namespace Maas.Serving.Batching;

/// <summary>Runs the batches a <see cref="BatchQueue{TRequest, TResult}"/> forms: queue-time metrics, one engine call
/// with its trace span and compute phases, each result handed to its request. A batch the engine refuses as invalid
/// is run again request by request, so one bad request does not fail the others it was merged with.</summary>
internal sealed class BatchRunner<TRequest, TResult>(
    IBatchExecutor<TRequest, TResult> executor,
    ServingMetrics metrics,
    TimeProvider time,
    string model,
    int version)
{
    /// <summary>Runs <paramref name="batch"/> (requests already moved to running) and completes each request; returns the
    /// engine call's duration when it succeeded as a whole, for the queue's deadline estimate.</summary>
    public async Task<TimeSpan?> RunAsync(List<BatchItem<TRequest, TResult>> batch, CancellationToken stopping)
    {
        var running = batch[0].Batch!;
        var rows = 0;
        var requests = new TRequest[batch.Count];
        var traces = ServingActivities.Source.HasListeners() ? new ActivityContext[batch.Count] : [];
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Dequeued();
            if (traces.Length > 0)
            {
                traces[i] = batch[i].TraceContext;
            }

            metrics.QueueDepth(model, version, -1);
            metrics.Queued(model, version, time.GetElapsedTime(batch[i].Arrival));
            requests[i] = batch[i].Request;
            rows += batch[i].Rows;
        }

        using var span = ServingActivities.StartBatch(model, version, traces, rows);
        var phases = ComputePhases.Begin(time);
        try
        {
            var results = await executor.RunAsync(requests, running.Token).ConfigureAwait(false);
            var (elapsed, input, output) = phases.End();
            metrics.Computed(model, version, elapsed, rows, batch.Count, input, output);
            if (results.Count != batch.Count)
            {
                throw new MaasException(MaasErrorKind.Internal, $"The batch of {batch.Count} requests returned {results.Count} results.");
            }

            for (var i = 0; i < batch.Count; i++)
            {
                Deliver(batch[i], results[i]);
            }

            return elapsed;
        }
        catch (MaasException ex) when (ex.Kind == MaasErrorKind.InvalidArgument && batch.Count > 1)
        {
            // One request the engine refuses must not fail the others it was merged with: run each alone.
            foreach (var item in batch)
            {
                await RunAloneAsync(item, running.Token).ConfigureAwait(false);
            }

            return null;
        }
        catch (Exception ex)
        {
            var error = ex is OperationCanceledException && stopping.IsCancellationRequested
                ? MaasException.Unavailable($"Model {model}:{version} was unloaded.")
                : ex;
            ServingActivities.Fail(span, error);
            foreach (var item in batch)
            {
                if (item.TryMove(BatchItemState.Running, BatchItemState.Done))
                {
                    item.Fail(error);
                }
            }

            return null;
        }
        finally
        {
            phases.EndEngineSpan();
            running.Dispose();
        }
    }

    private async Task RunAloneAsync(BatchItem<TRequest, TResult> item, CancellationToken cancellationToken)
    {
        if (item.State != BatchItemState.Running)
        {
            return;
        }

        var phases = ComputePhases.Begin(time);
        try
        {
            var results = await executor.RunAsync([item.Request], cancellationToken).ConfigureAwait(false);
            var (elapsed, input, output) = phases.End();
            metrics.Computed(model, version, elapsed, item.Rows, 1, input, output);
            Deliver(item, results[0]);
        }
        catch (Exception ex)
        {
            phases.EndEngineSpan();
            if (item.TryMove(BatchItemState.Running, BatchItemState.Done))
            {
                item.Fail(ex);
            }
        }
    }

    private static void Deliver(BatchItem<TRequest, TResult> item, TResult result)
    {
        if (item.TryMove(BatchItemState.Running, BatchItemState.Done))
        {
            item.Succeed(result);
        }
        else if (result is IDisposable disposable)
        {
            // The caller left while its batch ran: nobody else will return the result's pooled storage.
            disposable.Dispose();
        }
    }
}
