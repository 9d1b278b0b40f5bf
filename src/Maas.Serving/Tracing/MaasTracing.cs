namespace Maas.Serving.Tracing;

/// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> whose spans follow a request from routing
/// through the batch queue to the engine call; a tracer provider subscribes to it by this name.</summary>
/// <remarks>Spans: <c>maas.request</c> (one per inference call, under the protocol's server span), <c>maas.route</c>
/// (reference → loaded version), <c>maas.queue</c> (time waiting in the version's batch queue), <c>maas.batch</c> (one
/// engine call serving one or more requests: parented to the oldest request and linked to every request it serves) and
/// <c>maas.engine</c> (the engine call itself, between input preparation and output splitting). With no listener the
/// source creates nothing, so tracing that is off costs one branch per span.</remarks>
public static class MaasTracing
{
    public const string ActivitySourceName = "Maas";
}
