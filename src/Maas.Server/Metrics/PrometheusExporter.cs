using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Maas.Server.Metrics;

/// <summary>Collects every <c>Maas.*</c> meter's measurements in memory and writes them in Prometheus' text format.</summary>
/// <remarks>
/// Counters are summed, histograms keep a count, a sum and fixed buckets (seconds-scale, fit for latencies),
/// gauges keep their last value and observable instruments are polled at each scrape. One series per
/// instrument and tag set; the tag sets in use (model names) are few.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Maas", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = Name(instrument);
            var kind = Kind(instrument);
            text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
            foreach (var ((_, labels), series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                series.Write(text, name, labels);
            }
        }

        return text.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((instrument, Labels(tags)), static key => new Series(Kind(key.Instrument) == "histogram"));

        // Observable instruments report their current (cumulative) value at each poll; the others report deltas.
        series.Add(value, replace: instrument.IsObservable || Kind(instrument) == "gauge" && !IsUpDownCounter(instrument));
    }

    private static string Kind(Instrument instrument) => instrument switch
    {
        Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
        Counter<long> or Counter<double> or Counter<int> or ObservableCounter<long> or ObservableCounter<double> or ObservableCounter<int> => "counter",
        _ => "gauge",
    };

    private static bool IsUpDownCounter(Instrument instrument) =>
        instrument is UpDownCounter<long> or UpDownCounter<double> or UpDownCounter<int>;

    private static string Name(Instrument instrument)
    {
        var name = new StringBuilder();
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        if (instrument.Unit is "s")
        {
            name.Append("_seconds");
        }

        if (Kind(instrument) == "counter")
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            parts.Add($"{key.Replace('.', '_')}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument and tag set: a running sum or last value, or a histogram.</summary>
    private sealed class Series(bool histogram)
    {
        private readonly long[]? _buckets = histogram ? new long[Buckets.Length] : null;
        private readonly Lock _lock = new();
        private double _sum;
        private long _count;

        public void Add(double value, bool replace)
        {
            lock (_lock)
            {
                _count++;
                if (replace)
                {
                    _sum = value;
                    return;
                }

                _sum += value;
                if (_buckets is not null)
                {
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        if (value <= Buckets[i])
                        {
                            _buckets[i]++;
                        }
                    }
                }
            }
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            lock (_lock)
            {
                var inv = CultureInfo.InvariantCulture;
                if (_buckets is null)
                {
                    text.Append(name).Append(Braces(labels)).Append(' ').Append(_sum.ToString("R", inv)).Append('\n');
                    return;
                }

                var prefix = labels.Length == 0 ? string.Empty : labels + ",";
                for (var i = 0; i < Buckets.Length; i++)
                {
                    text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Buckets[i].ToString("R", inv)).Append("\"} ").Append(_buckets[i].ToString(inv)).Append('\n');
                }

                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count.ToString(inv)).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(_sum.ToString("R", inv)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(_count.ToString(inv)).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";
    }
}
