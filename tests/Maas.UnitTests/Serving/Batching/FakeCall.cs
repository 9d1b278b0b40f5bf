namespace Maas.UnitTests.Serving.Batching;

/// <summary>One engine call as the fake saw it.</summary>
internal sealed class FakeCall(long[] shape, float[] values, CancellationToken token)
{
    public long[] Shape { get; } = shape;

    public float[] Values { get; } = values;

    public CancellationToken Token { get; } = token;

    public long Rows => Shape[0];

    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Released.TrySetResult();
}
