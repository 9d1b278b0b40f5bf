using System.Threading.Channels;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.UnitTests.Serving.Batching;

/// <summary>A tensor model that doubles its FP32 input <c>x</c> into <c>y</c>, records every call's shape and, when
/// <see cref="Hold"/> is set, blocks each call until the test releases it.</summary>
/// <remarks>A negative element makes the call fail with 400, as a real engine refusing one request's input would.</remarks>
internal sealed class FakeTensorModel : ITensorModel
{
    private readonly Channel<FakeCall> _entered = Channel.CreateUnbounded<FakeCall>();
    private int _calls;

    public FakeTensorModel(long[]? inputShape = null, long[]? outputShape = null)
    {
        Inputs = [new TensorSpec("x", TensorDataType.Fp32, inputShape ?? [-1, -1])];
        Outputs = [new TensorSpec("y", TensorDataType.Fp32, outputShape ?? inputShape ?? [-1, -1])];
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    public long MemoryBytes => 1234;

    /// <summary>When true, each call waits for <see cref="FakeCall.Release"/> (or its cancellation).</summary>
    public bool Hold { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public bool Disposed { get; private set; }

    /// <summary>The next call that reached the engine.</summary>
    public async Task<FakeCall> NextCallAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _entered.Reader.ReadAsync(timeout.Token);
    }

    public bool TryNextCall(out FakeCall? call) => _entered.Reader.TryRead(out call);

    public async ValueTask<InferenceResult> RunAsync(IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var x = inputs[0];
        var call = new FakeCall(x.Shape, x.AsSpan<float>().ToArray(), cancellationToken);
        _entered.Writer.TryWrite(call);
        if (Hold)
        {
            await call.Released.Task.WaitAsync(cancellationToken);
        }

        if (call.Values.Any(v => v < 0))
        {
            throw MaasException.InvalidArgument("negative input");
        }

        var y = call.Values.Select(v => v * 2).ToArray();
        return new InferenceResult([Tensor.Create("y", (long[])x.Shape.Clone(), y)]);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
