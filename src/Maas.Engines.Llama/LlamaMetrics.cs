using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Maas.Engines.Llama;

/// <summary>The <c>Maas.Llama</c> meter: how a generation step's time splits between llama.cpp's decode and our sampler.</summary>
/// <remarks>Sampling time is the whole step's (every sequence's sampler, logit bias, penalties and masks included), so
/// sampling ÷ (decode + sampling) is the sampler's share of step time at the model's real vocabulary size.</remarks>
internal sealed class LlamaMetrics
{
    public const string MeterName = "Maas.Llama";

    private readonly Histogram<double> _decode;
    private readonly Histogram<double> _sampling;

    public LlamaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _decode = meter.CreateHistogram<double>("maas.llama.decode.duration", "s", "Time of one llama_decode call: one generation step for all of its sequences.");
        _sampling = meter.CreateHistogram<double>("maas.llama.sampling.duration", "s", "Time spent choosing the next token of every sequence of one step, after its decode.");
    }

    /// <summary>Records one step; <paramref name="prompt"/> says whether it decoded prompt tokens (a step with a new
    /// sequence's prompt costs far more than one token per sequence), tagged <c>maas.llama.step</c> = prompt or decode.</summary>
    public void Step(string model, bool prompt, TimeSpan decode, TimeSpan sampling)
    {
        var tags = new TagList { { "maas.model", model }, { "maas.llama.step", prompt ? "prompt" : "decode" } };
        _decode.Record(decode.TotalSeconds, tags);
        _sampling.Record(sampling.TotalSeconds, tags);
    }
}
