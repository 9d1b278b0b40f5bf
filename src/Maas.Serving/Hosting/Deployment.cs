using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Hosting;

/// <summary>A version being served: its state, its pipeline once ready, and the requests inside it.</summary>
/// <remarks>
/// Requests take a lease; unloading first stops new leases, then waits for the running ones to finish
/// before disposing the pipeline (and with it the engine's native handles), so a swap drops nothing.
/// </remarks>
public sealed class Deployment
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrencyGate _gate;
    private int _leases;
    private int _closing;

    internal Deployment(ModelVersionInfo version, int maxConcurrency, int maxQueue)
    {
        Version = version;
        _gate = new ConcurrencyGate(maxConcurrency, maxQueue);
    }

    public ModelVersionInfo Version { get; }

    public ModelState State { get; private set; } = ModelState.Loading;

    /// <summary>Why loading failed, when <see cref="State"/> is <see cref="ModelState.Failed"/>.</summary>
    public string? FailureReason { get; private set; }

    public IInferencePipeline? Pipeline { get; private set; }

    public int Running => _gate.Running;

    public int Waiting => _gate.Waiting;

    internal void MarkReady(IInferencePipeline pipeline)
    {
        Pipeline = pipeline;
        State = ModelState.Ready;
    }

    internal void MarkFailed(string reason)
    {
        FailureReason = reason;
        State = ModelState.Failed;
    }

    /// <summary>Enters the deployment: waits for a slot (bounded queue) and returns a lease to dispose when done,
    /// or null when the deployment is being unloaded (its route has moved on: the caller routes again).</summary>
    internal async ValueTask<Lease?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _leases);
        try
        {
            if (Volatile.Read(ref _closing) != 0)
            {
                Leave();
                return null;
            }

            if (State != ModelState.Ready)
            {
                throw MaasException.Unavailable(State == ModelState.Failed
                    ? $"Model {Version.Key} failed to load: {FailureReason}"
                    : $"Model {Version.Key} is {State.ToString().ToLowerInvariant()}.");
            }

            var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            return new Lease(this, slot);
        }
        catch
        {
            Leave();
            throw;
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _closing) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops new requests, waits for running ones, then disposes the pipeline.</summary>
    internal async Task UnloadAsync()
    {
        // A full fence between raising the flag and reading the count pairs with TryAcquireAsync's increment-then-check.
        Interlocked.Exchange(ref _closing, 1);
        if (State == ModelState.Ready)
        {
            State = ModelState.Unloading;
        }

        if (Volatile.Read(ref _leases) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
        if (Pipeline is { } pipeline)
        {
            await pipeline.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    /// <summary>A request's hold on the deployment and on a concurrency slot.</summary>
    internal readonly struct Lease(Deployment owner, ConcurrencyGate.Releaser slot) : IDisposable
    {
        public IInferencePipeline Pipeline => owner.Pipeline!;

        public void Dispose()
        {
            slot.Dispose();
            owner.Leave();
        }
    }
}
