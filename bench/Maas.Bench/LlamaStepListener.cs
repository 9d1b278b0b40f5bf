using System.Diagnostics.Metrics;
using Maas.Engines.Llama;

namespace Maas.Bench;

/// <summary>Adds up the llama engine's own step timings (<c>maas.llama.decode.duration</c>, <c>maas.llama.sampling.duration</c>,
/// decode steps only) as the server in this process records them, so the sampler's share of step time is measured inside
/// the engine rather than guessed from outside.</summary>
internal sealed class LlamaStepListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private double _decodeSeconds;
    private double _samplingSeconds;
    private long _steps;

    public LlamaStepListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LlamaMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Decode and sampling seconds and decode steps since the last call, then starts again from zero.</summary>
    public (double DecodeSeconds, double SamplingSeconds, long Steps) Take()
    {
        lock (_gate)
        {
            var result = (_decodeSeconds, _samplingSeconds, _steps);
            (_decodeSeconds, _samplingSeconds, _steps) = (0, 0, 0);
            return result;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "maas.llama.step" && (string?)tag.Value != "decode")
            {
                return;
            }
        }

        lock (_gate)
        {
            if (instrument.Name == "maas.llama.decode.duration")
            {
                _decodeSeconds += value;
                _steps++;
            }
            else if (instrument.Name == "maas.llama.sampling.duration")
            {
                _samplingSeconds += value;
            }
        }
    }
}
