using System.Diagnostics;
using Maas.Serving.Tracing;

namespace Maas.Serving.Batching;

/// <summary>Where one engine call's pre-processing ends and its post-processing begins, so the statistics extension
/// can split the call's time into <c>compute_input</c>, <c>compute_infer</c> and <c>compute_output</c>.</summary>
/// <remarks>
/// The batch queue opens one per call, ambient for the executor's async flow (an <see cref="AsyncLocal{T}"/> set in the
/// queue's own async method, so it never leaks to its callers); executors mark the two points around the engine call.
/// An executor that marks nothing (an engine that tokenizes itself) has all of its time counted as inference.
/// </remarks>
internal sealed class ComputePhases
{
    private static readonly AsyncLocal<ComputePhases?> Ambient = new();

    private readonly TimeProvider _time;
    private readonly long _started;
    private long _inputDone;
    private long _inferDone;
    private Activity? _engine;

    private ComputePhases(TimeProvider time)
    {
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>Starts timing a call in the current async flow.</summary>
    public static ComputePhases Begin(TimeProvider time)
    {
        var phases = new ComputePhases(time);
        Ambient.Value = phases;
        return phases;
    }

    /// <summary>The inputs are ready (tokenized, concatenated, bound); the engine call starts now.</summary>
    public static void InputDone()
    {
        if (Ambient.Value is { } phases)
        {
            phases._inputDone = phases._time.GetTimestamp();
            phases._engine = ServingActivities.Source.StartActivity(ServingActivities.Engine, ActivityKind.Internal);
        }
    }

    /// <summary>The engine call returned; what follows (pooling, slicing per request) is output work.</summary>
    public static void InferDone()
    {
        if (Ambient.Value is { } phases)
        {
            phases._inferDone = phases._time.GetTimestamp();
            phases.EndEngineSpan();
        }
    }

    /// <summary>Ends the <c>maas.engine</c> span opened at <see cref="InputDone"/> if the engine call did not return
    /// (it threw, or was cancelled); nothing when none is open.</summary>
    public void EndEngineSpan()
    {
        if (_engine is { } engine)
        {
            _engine = null;
            engine.Stop();
        }
    }

    /// <summary>Ends the call: its whole duration and the input and output parts of it (zero when not marked).</summary>
    public (TimeSpan Elapsed, TimeSpan Input, TimeSpan Output) End()
    {
        var ended = _time.GetTimestamp();
        EndEngineSpan();
        if (ReferenceEquals(Ambient.Value, this))
        {
            Ambient.Value = null;
        }

        var input = _inputDone == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_started, _inputDone);
        var output = _inferDone == 0 || _inferDone < _inputDone ? TimeSpan.Zero : _time.GetElapsedTime(_inferDone, ended);
        return (_time.GetElapsedTime(_started, ended), input, output);
    }
}
