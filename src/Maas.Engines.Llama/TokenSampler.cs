using Maas.Core.Engines;

namespace Maas.Engines.Llama;

/// <summary>One sequence's sampler: penalties, temperature, nucleus (top-p) and its own seeded random state.</summary>
/// <remarks>
/// Sampling is done here in C# from the raw logits rather than with llama.cpp's sampler chain so that each
/// sequence's random stream depends only on its own seed and logits, whatever else shares the batch.
/// Log-probabilities are those of the model (log-softmax of the raw logits), before penalties and temperature,
/// as OpenAI reports them.
/// </remarks>
internal sealed class TokenSampler
{
    /// <summary>Temperatures at or below this are treated as 0: always the most likely token.</summary>
    internal const float GreedyTemperature = 1e-3f;

    private readonly SamplingOptions _options;
    private readonly Random _random;
    private readonly Dictionary<int, int> _generated = [];

    public TokenSampler(SamplingOptions options)
    {
        _options = options;
        _random = options.Seed is { } seed ? new Random(unchecked((int)seed)) : new Random();
    }

    public SampledToken Sample(ReadOnlySpan<float> logits, SamplerScratch scratch)
    {
        var adjusted = scratch.Values.AsSpan(0, logits.Length);
        logits.CopyTo(adjusted);
        ApplyPenalties(adjusted);
        var token = _options.Temperature <= GreedyTemperature ? ArgMax(adjusted) : Draw(adjusted, scratch);
        _generated[token] = _generated.GetValueOrDefault(token) + 1;

        var logNormalizer = LogSumExp(logits);
        var alternatives = _options.TopLogprobs > 0 ? TopAlternatives(logits, logNormalizer, _options.TopLogprobs) : null;
        return new SampledToken(token, logits[token] - logNormalizer, alternatives);
    }

    // OpenAI semantics: presence subtracts once for any token generated so far, frequency once per occurrence.
    private void ApplyPenalties(Span<float> logits)
    {
        if (_options.PresencePenalty == 0f && _options.FrequencyPenalty == 0f)
        {
            return;
        }

        foreach (var (token, count) in _generated)
        {
            logits[token] -= _options.PresencePenalty + (_options.FrequencyPenalty * count);
        }
    }

    private int Draw(Span<float> logits, SamplerScratch scratch)
    {
        var max = logits[ArgMax(logits)];
        var inverseTemperature = 1.0 / _options.Temperature;
        double total = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var weight = (float)Math.Exp((logits[i] - max) * inverseTemperature);
            logits[i] = weight;
            total += weight;
        }

        if (_options.TopP >= 1f)
        {
            return Pick(logits, total);
        }

        // Nucleus: the smallest set of most likely tokens whose probability reaches TopP.
        var keys = scratch.Keys.AsSpan(0, logits.Length);
        var order = scratch.Order.AsSpan(0, logits.Length);
        for (var i = 0; i < logits.Length; i++)
        {
            keys[i] = -logits[i];
            order[i] = i;
        }

        keys.Sort(order);
        var threshold = Math.Max(0f, _options.TopP) * total;
        double kept = 0;
        var count = 0;
        while (count < order.Length && (count == 0 || kept < threshold))
        {
            kept += logits[order[count]];
            count++;
        }

        var target = _random.NextDouble() * kept;
        double cumulative = 0;
        for (var i = 0; i < count; i++)
        {
            cumulative += logits[order[i]];
            if (target < cumulative)
            {
                return order[i];
            }
        }

        return order[count - 1];
    }

    private int Pick(ReadOnlySpan<float> weights, double total)
    {
        var target = _random.NextDouble() * total;
        double cumulative = 0;
        var last = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0f)
            {
                continue;
            }

            cumulative += weights[i];
            last = i;
            if (target < cumulative)
            {
                return i;
            }
        }

        return last;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static float LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = logits[ArgMax(logits)];
        double sum = 0;
        foreach (var logit in logits)
        {
            sum += Math.Exp(logit - max);
        }

        return max + (float)Math.Log(sum);
    }

    private static TokenAlternative[] TopAlternatives(ReadOnlySpan<float> logits, float logNormalizer, int count)
    {
        count = Math.Min(count, logits.Length);
        var tokens = new int[count];
        var values = new float[count];
        var filled = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var value = logits[i];
            if (filled == count && value <= values[filled - 1])
            {
                continue;
            }

            // Insertion into a short list kept in descending order.
            var at = filled < count ? filled++ : count - 1;
            while (at > 0 && values[at - 1] < value)
            {
                values[at] = values[at - 1];
                tokens[at] = tokens[at - 1];
                at--;
            }

            values[at] = value;
            tokens[at] = i;
        }

        var result = new TokenAlternative[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new TokenAlternative(tokens[i], values[i] - logNormalizer);
        }

        return result;
    }
}
