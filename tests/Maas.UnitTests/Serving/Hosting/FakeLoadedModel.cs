using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>A loaded "model" whose answer names the version and settings it was loaded with.</summary>
internal sealed class FakeLoadedModel(ModelLoadContext context, long memoryBytes) : ITensorModel
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ModelLoadContext Context { get; } = context;

    public IReadOnlyList<TensorSpec> Inputs { get; } = [new TensorSpec("input", TensorDataType.Fp32, [-1, 4])];

    public IReadOnlyList<TensorSpec> Outputs { get; } = [new TensorSpec("output", TensorDataType.Fp32, [-1, 2])];

    public long MemoryBytes => memoryBytes;

    public Task Disposed => _disposed.Task;

    public bool IsDisposed => _disposed.Task.IsCompleted;

    public ValueTask<InferenceResult> RunAsync(IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new InferenceResult([]));

    public ValueTask DisposeAsync()
    {
        _disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
