using System.Diagnostics;
using System.Diagnostics.Metrics;
using Maas.Serving.Metrics;

namespace Maas.Server.Metrics;

/// <summary>The <c>Maas.Server</c> meter: inference requests by model, version, protocol and outcome, and their
/// total latency as the server saw it (body read, queue, compute, response written).</summary>
/// <remarks>The same outcome and duration feed the statistics extension's success and fail counts
/// (<see cref="ModelStatistics"/>), so <c>/v2/models/{name}/stats</c> and <c>/metrics</c> agree.</remarks>
internal sealed class ServerMetrics
{
    public const string MeterName = "Maas.Server";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    private readonly ModelStatistics? _statistics;

    public ServerMetrics(IMeterFactory meterFactory, ModelStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _statistics = statistics;
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("maas.server.requests", "{request}", "Inference requests handled (outcome: ok, invalid, not_found, rejected, timeout, unavailable, error, cancelled).");
        _duration = meter.CreateHistogram<double>("maas.server.request.duration", "s", "Time from a request's arrival to the end of its response.");
    }

    public void Request(InferenceRequestFeature request, string outcome, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tags = new TagList();
        if (request.Model is { } model)
        {
            tags.Add("maas.model", model);
            tags.Add("maas.version", request.Version);
            _statistics?.Completed(model, request.Version, outcome == "ok", elapsed);
        }

        tags.Add("protocol", request.Protocol);
        tags.Add("outcome", outcome);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
