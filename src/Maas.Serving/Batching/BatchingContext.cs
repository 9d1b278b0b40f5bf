using Maas.Core.Engines;
using Maas.Serving.Metrics;

namespace Maas.Serving.Batching;

/// <summary>What a pipeline needs to build its admission queue: the version's settings and identity, the metrics to
/// record into, the clock, and the cores the workers share.</summary>
internal sealed record BatchingContext(DeploymentSettings Settings, string Model, int Version, ServingMetrics Metrics, TimeProvider Time, int Cores)
{
    /// <summary>Splits a display key such as <c>all-minilm-l6-v2:1</c> into model and version.</summary>
    public static BatchingContext For(string key, DeploymentSettings settings, ServingMetrics metrics, TimeProvider time, int cores)
    {
        var colon = key.LastIndexOf(':');
        return colon > 0 && int.TryParse(key.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? new BatchingContext(settings, key[..colon], version, metrics, time, cores)
            : new BatchingContext(settings, key, 0, metrics, time, cores);
    }

    /// <summary>A queue over <paramref name="executor"/> with these settings.</summary>
    public BatchQueue<TRequest, TResult> CreateQueue<TRequest, TResult>(IBatchExecutor<TRequest, TResult> executor) =>
        new(executor, Settings, Model, Version, Metrics, Time, Cores);
}
