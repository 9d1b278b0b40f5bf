namespace Maas.Bench;

/// <summary>One interleaved round of the real-size benchmark.</summary>
internal sealed class BigLlamaRound
{
    public StreamTiming? InProcessDecode { get; set; }

    public StreamTiming? ServerDecode { get; set; }

    /// <summary>Server decode with temperature 0.8 and top_p 0.95, for the sampler's share at a real setting.</summary>
    public StreamTiming? ServerSampled { get; set; }

    public Dictionary<int, StreamTiming> InProcessFirstToken { get; } = [];

    public Dictionary<int, StreamTiming> ServerFirstToken { get; } = [];

    public double Bandwidth1 { get; set; }

    public double Bandwidth2 { get; set; }

    public (double DecodeSeconds, double SamplingSeconds, long Steps) GreedySteps { get; set; }

    public (double DecodeSeconds, double SamplingSeconds, long Steps) SampledSteps { get; set; }

    public double GreedyShare => Share(GreedySteps);

    public double SampledShare => Share(SampledSteps);

    private static double Share((double DecodeSeconds, double SamplingSeconds, long Steps) steps) =>
        steps.DecodeSeconds + steps.SamplingSeconds > 0 ? steps.SamplingSeconds / (steps.DecodeSeconds + steps.SamplingSeconds) : double.NaN;
}
