using System.Collections.Concurrent;
using Maas.Core.Engines;
using Maas.Core.Errors;

namespace Maas.UnitTests.Serving.Hosting;

/// <summary>An engine named <c>onnx</c> that counts loads per version key, records their settings, and can be told to
/// fail a version or to hold loads until released.</summary>
internal sealed class FakeEngine : IModelEngine
{
    private readonly ConcurrentDictionary<string, int> _loads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeLoadedModel> _models = new();
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);
    private TaskCompletionSource? _gate;

    public string Name => "onnx";

    /// <summary>Memory each loaded model reports.</summary>
    public long MemoryBytes { get; set; } = 100;

    /// <summary>Signalled when the next load has entered the engine, then replaced for the one after: read it before
    /// starting the load, since a load on another thread may enter (and replace it) before the caller reads it.</summary>
    public TaskCompletionSource LoadStarted { get; private set; } = NewSignal();

    public IEnumerable<FakeLoadedModel> Models => _models;

    public int Loads(string key) => _loads.GetValueOrDefault(key);

    public void Fail(string key, string reason) => _failures[key] = reason;

    public void Heal(string key) => _failures.TryRemove(key, out _);

    /// <summary>Makes loads wait until <see cref="Release"/> (or their cancellation).</summary>
    public void Hold() => _gate = NewSignal();

    public void Release() => _gate?.TrySetResult();

    public async Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken = default)
    {
        _loads.AddOrUpdate(context.Key, 1, static (_, n) => n + 1);
        var started = LoadStarted;
        LoadStarted = NewSignal();
        started.TrySetResult();
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_failures.TryGetValue(context.Key, out var reason))
        {
            throw MaasException.InvalidArgument(reason);
        }

        var model = new FakeLoadedModel(context, MemoryBytes);
        _models.Enqueue(model);
        return model;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
