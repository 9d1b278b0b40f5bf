using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Batching;
using Maas.Serving.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Maas.UnitTests.Serving.Batching;

/// <summary>Metrics, a fake clock and request helpers for the batching tests.</summary>
internal sealed class BatchingHarness : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public BatchingHarness() => Metrics = new ServingMetrics(_meters);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public ServingMetrics Metrics { get; }

    public BatchingContext Context(DeploymentSettings settings, int cores = 1) => new(settings, "fake", 1, Metrics, Time, cores);

    /// <summary>A request of <paramref name="rows"/> rows of two values each, starting at <paramref name="first"/>.</summary>
    public static InferenceRequest Rows(float first, int rows = 1, int columns = 2)
    {
        var values = Enumerable.Range(0, rows * columns).Select(i => first + i).ToArray();
        return new InferenceRequest { Inputs = [Tensor.Create("x", [rows, columns], values)] };
    }

    public static float[] Values(InferenceResult result) => result.Outputs[0].AsSpan<float>().ToArray();

    public void Dispose() => _meters.Dispose();
}
