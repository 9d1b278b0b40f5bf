using System.Diagnostics;
using System.Numerics.Tensors;
using Maas.Core.Engines;
using Maas.Core.Grammars;

namespace Maas.Engines.Llama;

/// <summary>One sequence's sampler: logit bias, penalties, temperature, top-k, top-p, min-p and its own seeded random state.</summary>
/// <remarks>
/// Sampling is done here in C# from the raw logits rather than with llama.cpp's sampler chain so that each
/// sequence's random stream depends only on its own seed and logits, whatever else shares the batch.
/// Log-probabilities are those of the model (log-softmax of the raw logits), before bias, penalties and temperature,
/// as OpenAI reports them.
/// Order (as vLLM): logit bias, repetition penalty (llama.cpp: divide a positive logit, multiply a negative one, once
/// per distinct token in the last <see cref="SamplingOptions.RepetitionWindow"/> prompt and generated tokens), presence and
/// frequency penalties (OpenAI, generated tokens), temperature, then top-k, top-p (over the top-k set) and min-p
/// (relative to the most likely token). The whole vocabulary is never sorted: top-k selects with a bounded heap, top-p
/// with a histogram of the weights that finds the bucket where the nucleus ends, and only the candidates are sorted.
/// With a grammar, its mask comes after bias and penalties and before temperature and the cut-offs, so top-k/top-p/min-p
/// choose among allowed tokens; if logit bias banned every allowed token, the grammar wins (the mask over the raw logits).
/// </remarks>
internal sealed class TokenSampler
{
    /// <summary>Temperatures at or below this are treated as 0: always the most likely token.</summary>
    internal const float GreedyTemperature = 1e-3f;

    /// <summary>A logit bias at or below this bans the token outright.</summary>
    internal const float BanBias = -100f;

    private readonly SamplingOptions _options;
    private readonly GrammarMatcher? _grammar;
    private readonly Random _random;
    private readonly SamplerPenalties _penalties;

    public TokenSampler(SamplingOptions options, IReadOnlyList<int>? prompt = null, GrammarMatcher? grammar = null)
    {
        _options = options;
        _grammar = grammar;
        _random = options.Seed is { } seed ? new Random(unchecked((int)seed)) : new Random();
        _penalties = new SamplerPenalties(options, prompt);
    }

    public SampledToken Sample(ReadOnlySpan<float> logits, SamplerScratch scratch)
    {
        var adjusted = scratch.Values.AsSpan(0, logits.Length);
        logits.CopyTo(adjusted);
        _penalties.Apply(adjusted);
        if (_grammar is not null && !Mask(logits, adjusted))
        {
            // No token of this vocabulary can continue the grammar here: end the sequence rather than break the grammar.
            return new SampledToken(_grammar.FallbackEndToken, float.NegativeInfinity, null, CompletesGrammar: true);
        }

        var token = _options.Temperature <= GreedyTemperature ? ArgMax(adjusted) : Draw(adjusted, scratch);
        _penalties.Record(token);
        var completes = false;
        if (_grammar is not null)
        {
            var started = Stopwatch.GetTimestamp();
            _grammar.Accept(token);
            completes = _grammar.IsComplete;
            GrammarTicks += Stopwatch.GetTimestamp() - started;
        }

        // The adjusted values are spent once the token is chosen: their buffer holds the exponentials.
        var logNormalizer = SamplerLogprobs.LogSumExp(logits, adjusted);
        var alternatives = _options.TopLogprobs > 0 ? SamplerLogprobs.TopAlternatives(logits, logNormalizer, _options.TopLogprobs) : null;
        return new SampledToken(token, logits[token] - logNormalizer, alternatives, completes);
    }

    /// <summary>Time spent in the grammar (masks and following tokens), in <see cref="Stopwatch"/> ticks.</summary>
    public long GrammarTicks { get; private set; }

    // Masks the adjusted logits; false when the grammar allows no token at all.
    private bool Mask(ReadOnlySpan<float> logits, Span<float> adjusted)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (_grammar!.ApplyMask(adjusted) == 0)
            {
                return false;
            }

            if (_options.LogitBias is { Count: > 0 } && float.IsNegativeInfinity(adjusted[ArgMax(adjusted)]))
            {
                logits.CopyTo(adjusted);
                _grammar.ApplyMask(adjusted);
            }

            return true;
        }
        finally
        {
            GrammarTicks += Stopwatch.GetTimestamp() - started;
        }
    }

    private int Draw(Span<float> logits, SamplerScratch scratch)
    {
        var max = logits[ArgMax(logits)];
        var inverseTemperature = 1.0f / _options.Temperature;
        var topP = Math.Max(0f, _options.TopP);
        var useTopK = _options.TopK > 0 && _options.TopK < logits.Length;
        var useHistogram = topP < 1f && !useTopK;
        var buckets = scratch.BucketWeights;
        var tokenBuckets = scratch.TokenBuckets;
        if (useHistogram)
        {
            Array.Clear(buckets);
        }

        // Vector passes over the vocabulary: distance below the best logit in nats, its bucket, then the weight.
        TensorPrimitives.Subtract(max, logits, logits);
        TensorPrimitives.Multiply(logits, inverseTemperature, logits);
        if (useHistogram)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                tokenBuckets[i] = (byte)SamplerCandidates.Bucket(logits[i]);
            }
        }

        TensorPrimitives.Negate(logits, logits);
        TensorPrimitives.Exp(logits, logits);
        double total = 0;
        if (useHistogram)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                buckets[tokenBuckets[i]] += logits[i];
                total += logits[i];
            }
        }
        else
        {
            total = TensorPrimitives.Sum(logits);
        }

        // The most likely token has weight 1, so min-p keeps weights >= MinP.
        var minWeight = _options.MinP;
        if (!useTopK && topP >= 1f)
        {
            return minWeight > 0f ? PickAbove(logits, minWeight) : Pick(logits, total);
        }

        if (useHistogram && minWeight <= 0f)
        {
            return DrawNucleus(logits, scratch, topP * total);
        }

        var order = scratch.Order;
        var count = useTopK ? SamplerCandidates.SelectTopK(logits, order, _options.TopK) : SamplerCandidates.SelectNucleusBuckets(logits, order, buckets, topP * total);
        var candidates = order.AsSpan(0, count);
        SamplerCandidates.SortByWeight(candidates, logits, scratch.Keys);
        if (useTopK)
        {
            // Top-p over the top-k set, renormalised.
            total = 0;
            foreach (var token in candidates)
            {
                total += logits[token];
            }
        }

        return PickPrefix(candidates, logits, topP * total, minWeight);
    }

    /// <summary>Top-p alone: the weight order is the bucket order, so the nucleus is every bucket before the one where
    /// the cumulative weight reaches <paramref name="threshold"/> plus a sorted prefix of that one, and a draw needs
    /// only the bucket it lands in sorted. Two passes over the vocabulary and two bucket-sized sorts instead of sorting
    /// the nucleus, which with flat logits (a random-weight model, a high temperature) is most of the vocabulary; the
    /// token is the one a full sort gives, up to the order in which doubles are added.</summary>
    private int DrawNucleus(ReadOnlySpan<float> weights, SamplerScratch scratch, double threshold)
    {
        var buckets = scratch.BucketWeights;

        // Rounding may leave the buckets' sum a hair below a threshold near the total: stop at the last non-empty one.
        var final = SamplerScratch.Buckets - 1;
        while (final > 0 && buckets[final] <= 0)
        {
            final--;
        }

        var last = 0;
        double before = 0;
        while (last < final && before + buckets[last] < threshold)
        {
            before += buckets[last++];
        }

        var ending = SamplerCandidates.SortedBucket(weights, scratch, last, 0);
        double kept = before;
        var count = 0;
        while (count < ending.Length && (kept < threshold || (count == 0 && before == 0)))
        {
            kept += weights[(int)(uint)ending[count]];
            count++;
        }

        var target = _random.NextDouble() * kept;
        double cumulative = 0;
        for (var b = 0; b < last; b++)
        {
            if (buckets[b] > 0 && target < cumulative + buckets[b])
            {
                return Walk(weights, SamplerCandidates.SortedBucket(weights, scratch, b, ending.Length), target, cumulative);
            }

            cumulative += buckets[b];
        }

        return Walk(weights, ending[..Math.Max(count, 1)], target, cumulative);
    }

    private static int Walk(ReadOnlySpan<float> weights, ReadOnlySpan<ulong> keys, double target, double cumulative)
    {
        foreach (var key in keys)
        {
            var token = (int)(uint)key;
            cumulative += weights[token];
            if (target < cumulative)
            {
                return token;
            }
        }

        // Rounding left the target a hair beyond the bucket's own sum: its last token.
        return (int)(uint)keys[^1];
    }

    // The shortest prefix (sorted by weight) reaching the threshold, cut further by min-p, then a draw within it.
    private int PickPrefix(ReadOnlySpan<int> candidates, ReadOnlySpan<float> weights, double threshold, float minWeight)
    {
        double kept = 0;
        var count = 0;
        while (count < candidates.Length && (count == 0 || (kept < threshold && weights[candidates[count]] >= minWeight)))
        {
            kept += weights[candidates[count]];
            count++;
        }

        var target = _random.NextDouble() * kept;
        double cumulative = 0;
        for (var i = 0; i < count; i++)
        {
            cumulative += weights[candidates[i]];
            if (target < cumulative)
            {
                return candidates[i];
            }
        }

        return candidates[count - 1];
    }

    // Min-p: the draw is over the weights at or above minWeight only.
    private int PickAbove(ReadOnlySpan<float> weights, float minWeight)
    {
        double total = 0;
        foreach (var weight in weights)
        {
            if (weight >= minWeight)
            {
                total += weight;
            }
        }

        return Pick(weights, total, minWeight);
    }

    // A draw proportional to weight among the positive weights not below floor (total: their sum).
    private int Pick(ReadOnlySpan<float> weights, double total, float floor = 0f)
    {
        var target = _random.NextDouble() * total;
        double cumulative = 0;
        var last = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0f || weights[i] < floor)
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

    // The first index of the largest value (a masked vocabulary is all -inf but the allowed tokens).
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = TensorPrimitives.IndexOfMax(values);
        return best < 0 ? 0 : best;
    }


}
