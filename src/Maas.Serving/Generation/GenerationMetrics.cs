using System.Diagnostics.Metrics;

namespace Maas.Serving.Generation;

/// <summary>The <c>Maas.Generation</c> meter: latency of tokens, tokens produced, sequences and KV-cache cells in use.</summary>
/// <remarks>Gauges are up-down counters tagged with the model key, so several loaded generators add up without callbacks.</remarks>
internal sealed class GenerationMetrics
{
    public const string MeterName = "Maas.Generation";

    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Counter<long> _tokens;
    private readonly UpDownCounter<int> _running;
    private readonly UpDownCounter<int> _waiting;
    private readonly UpDownCounter<int> _kvCells;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Counter<long> _prefixHits;
    private readonly Counter<long> _prefixMisses;
    private readonly Counter<long> _prefixEvictions;

    public GenerationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _timeToFirstToken = meter.CreateHistogram<double>("maas.generation.time_to_first_token", "s", "Time from a request's arrival to its first generated token.");
        _interTokenLatency = meter.CreateHistogram<double>("maas.generation.inter_token_latency", "s", "Time between consecutive tokens of one sequence.");
        _tokens = meter.CreateCounter<long>("maas.generation.tokens", "{token}", "Tokens generated.");
        _running = meter.CreateUpDownCounter<int>("maas.generation.sequences.running", "{sequence}", "Sequences being decoded.");
        _waiting = meter.CreateUpDownCounter<int>("maas.generation.sequences.waiting", "{sequence}", "Requests waiting to start.");
        _kvCells = meter.CreateUpDownCounter<int>("maas.generation.kv_cache.usage", "{cell}", "KV-cache cells reserved by running sequences.");
        _promptTokens = meter.CreateCounter<long>("maas.generation.prompt_tokens", "{token}", "Prompt tokens of started sequences, computed or reused.");
        _cachedPromptTokens = meter.CreateCounter<long>("maas.generation.prompt_tokens.cached", "{token}", "Prompt tokens whose KV cells were reused from the prefix cache instead of computed.");
        _prefixHits = meter.CreateCounter<long>("maas.generation.prefix_cache.hits", "{sequence}", "Sequences that started from a cached prefix.");
        _prefixMisses = meter.CreateCounter<long>("maas.generation.prefix_cache.misses", "{sequence}", "Sequences that found no cached prefix and computed the whole prompt.");
        _prefixEvictions = meter.CreateCounter<long>("maas.generation.prefix_cache.evictions", "{sequence}", "Cached prefixes dropped to make room for new sequences.");
    }

    public void FirstToken(string model, TimeSpan elapsed) => _timeToFirstToken.Record(elapsed.TotalSeconds, Tag(model));

    public void NextToken(string model, TimeSpan elapsed) => _interTokenLatency.Record(elapsed.TotalSeconds, Tag(model));

    public void Generated(string model) => _tokens.Add(1, Tag(model));

    public void Running(string model, int delta) => _running.Add(delta, Tag(model));

    public void Waiting(string model, int delta) => _waiting.Add(delta, Tag(model));

    public void KvCells(string model, int delta) => _kvCells.Add(delta, Tag(model));

    /// <summary>A sequence of <paramref name="promptTokens"/> started with <paramref name="cachedTokens"/> of them from
    /// the prefix cache (0: a miss).</summary>
    public void SequenceStarted(string model, int promptTokens, int cachedTokens)
    {
        _promptTokens.Add(promptTokens, Tag(model));
        if (cachedTokens > 0)
        {
            _prefixHits.Add(1, Tag(model));
            _cachedPromptTokens.Add(cachedTokens, Tag(model));
        }
        else
        {
            _prefixMisses.Add(1, Tag(model));
        }
    }

    public void PrefixEvicted(string model, long count) => _prefixEvictions.Add(count, Tag(model));

    private static KeyValuePair<string, object?> Tag(string model) => new("maas.model", model);
}
