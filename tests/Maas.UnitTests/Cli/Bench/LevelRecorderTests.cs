using System.Diagnostics;
using Maas.Cli.Bench;

namespace Maas.UnitTests.Cli.Bench;

/// <summary>Outcomes of one level: successes, and failures by kind with their own latency.</summary>
public sealed class LevelRecorderTests
{
    [Fact]
    public void Errors_SeveralKinds_SummarizeLatencyPerKind()
    {
        var recorder = new LevelRecorder();
        recorder.Success(100, rows: 1);
        foreach (var ms in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            recorder.Failure("HTTP 429", "queue full", ms);
        }

        recorder.Failure("HTTP 504", "deadline passed", 500);

        var errors = recorder.Errors();

        Assert.Equal(["HTTP 429", "HTTP 504"], errors.Select(e => e.Kind));
        var rejected = errors[0];
        Assert.Equal((4, "queue full"), (rejected.Count, rejected.Sample));
        Assert.Equal(2.5, rejected.LatencyMs.Mean, 6);
        Assert.Equal(4, rejected.LatencyMs.Max, 6);
        Assert.Equal(2.5, rejected.LatencyMs.P50, 6);
        Assert.Equal(500, errors[1].LatencyMs.P99, 6);
        Assert.Equal(1, recorder.Succeeded);
        Assert.Equal(5, recorder.Failed);
        Assert.Equal([100.0], recorder.Latencies());
    }

    [Fact]
    public void Errors_SameKindTwice_KeepsTheFirstSample()
    {
        var recorder = new LevelRecorder();
        recorder.Failure("connection", "refused", 1);
        recorder.Failure("connection", "reset", 2);

        var error = Assert.Single(recorder.Errors());

        Assert.Equal(("connection", 2, "refused"), (error.Kind, error.Count, error.Sample));
    }

    [Fact]
    public void SendRate_SendsOverTwoSeconds_IsIntervalsOverTheSpan()
    {
        var recorder = new LevelRecorder();
        var start = 1_000 * Stopwatch.Frequency;

        // Five sends, the last two seconds after the first (given out of order, as concurrent senders may).
        foreach (var offset in new[] { 0.0, 1.0, 0.5, 2.0, 1.5 })
        {
            recorder.Sent(start + (long)(offset * Stopwatch.Frequency));
        }

        Assert.Equal(2.0, recorder.SendRate!.Value, 6);
    }

    [Fact]
    public void SendRate_OneSend_IsNull()
    {
        var recorder = new LevelRecorder();
        recorder.Sent(Stopwatch.GetTimestamp());

        Assert.Null(recorder.SendRate);
    }
}
