using System.Diagnostics.Metrics;

namespace Maas.UnitTests.Serving;

/// <summary>Meters of one test's own, disposed with it, so instruments never mix between tests.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    /// <summary>The meters created so far (a test's <c>MeterListener</c> listens to these only).</summary>
    public IReadOnlyList<Meter> Meters => _meters;

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
