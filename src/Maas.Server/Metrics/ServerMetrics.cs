using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Maas.Server.Metrics;

/// <summary>The <c>Maas.Server</c> meter: inference requests by model, version, protocol and outcome, and their
/// total latency as the server saw it (body read, queue, compute, response written).</summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "Maas.Server";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public ServerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
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
        }

        tags.Add("protocol", request.Protocol);
        tags.Add("outcome", outcome);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
