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
    private readonly Dictionary<int, int> _generated = [];
    private readonly int[] _recent;
    private readonly Dictionary<int, int> _recentCounts = [];
    private int _recentCount;
    private int _recentNext;

    public TokenSampler(SamplingOptions options, IReadOnlyList<int>? prompt = null, GrammarMatcher? grammar = null)
    {
        _options = options;
        _grammar = grammar;
        _random = options.Seed is { } seed ? new Random(unchecked((int)seed)) : new Random();
        _recent = options.RepetitionPenalty != 1f && options.RepetitionWindow > 0 ? new int[options.RepetitionWindow] : [];
        if (prompt is not null && _recent.Length > 0)
        {
            for (var i = Math.Max(0, prompt.Count - _recent.Length); i < prompt.Count; i++)
            {
                Remember(prompt[i]);
            }
        }
    }

    public SampledToken Sample(ReadOnlySpan<float> logits, SamplerScratch scratch)
    {
        var adjusted = scratch.Values.AsSpan(0, logits.Length);
        logits.CopyTo(adjusted);
        ApplyBias(adjusted);
        ApplyPenalties(adjusted);
        if (_grammar is not null && !Mask(logits, adjusted))
        {
            // No token of this vocabulary can continue the grammar here: end the sequence rather than break the grammar.
            return new SampledToken(_grammar.FallbackEndToken, float.NegativeInfinity, null, CompletesGrammar: true);
        }

        var token = _options.Temperature <= GreedyTemperature ? ArgMax(adjusted) : Draw(adjusted, scratch);
        _generated[token] = _generated.GetValueOrDefault(token) + 1;
        Remember(token);
        var completes = false;
        if (_grammar is not null)
        {
            var started = Stopwatch.GetTimestamp();
            _grammar.Accept(token);
            completes = _grammar.IsComplete;
            GrammarTicks += Stopwatch.GetTimestamp() - started;
        }

        // The adjusted values are spent once the token is chosen: their buffer holds the exponentials.
        var logNormalizer = LogSumExp(logits, adjusted);
        var alternatives = _options.TopLogprobs > 0 ? TopAlternatives(logits, logNormalizer, _options.TopLogprobs) : null;
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

    private void Remember(int token)
    {
        if (_recent.Length == 0)
        {
            return;
        }

        if (_recentCount == _recent.Length)
        {
            var old = _recent[_recentNext];
            if (--_recentCounts[old] == 0)
            {
                _recentCounts.Remove(old);
            }
        }
        else
        {
            _recentCount++;
        }

        _recent[_recentNext] = token;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _recentCounts[token] = _recentCounts.GetValueOrDefault(token) + 1;
    }

    private void ApplyBias(Span<float> logits)
    {
        if (_options.LogitBias is not { Count: > 0 } bias)
        {
            return;
        }

        foreach (var (token, value) in bias)
        {
            if ((uint)token < (uint)logits.Length)
            {
                logits[token] = value <= BanBias ? float.NegativeInfinity : logits[token] + value;
            }
        }
    }

    private void ApplyPenalties(Span<float> logits)
    {
        var penalty = _options.RepetitionPenalty;
        if (penalty != 1f)
        {
            foreach (var token in _recentCounts.Keys)
            {
                logits[token] = logits[token] > 0 ? logits[token] / penalty : logits[token] * penalty;
            }
        }

        // OpenAI semantics: presence subtracts once for any token generated so far, frequency once per occurrence.
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
                tokenBuckets[i] = (byte)Bucket(logits[i]);
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
        var count = useTopK ? SelectTopK(logits, order, _options.TopK) : SelectNucleusBuckets(logits, order, buckets, topP * total);
        var candidates = order.AsSpan(0, count);
        SortByWeight(candidates, logits, scratch.Keys);
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

    private static int Bucket(float distance) =>
        distance < (SamplerScratch.Buckets - 1) / SamplerScratch.BucketsPerNat ? (int)(distance * SamplerScratch.BucketsPerNat) : SamplerScratch.Buckets - 1;

    // Every token whose bucket is at or before the one where the cumulative weight reaches the threshold: a superset of the nucleus.
    private static int SelectNucleusBuckets(ReadOnlySpan<float> weights, int[] order, double[] buckets, double threshold)
    {
        var last = SamplerScratch.Buckets - 1;
        double cumulative = 0;
        for (var b = 0; b < SamplerScratch.Buckets; b++)
        {
            cumulative += buckets[b];
            if (cumulative >= threshold)
            {
                last = b;
                break;
            }
        }

        var count = 0;
        if (last == SamplerScratch.Buckets - 1)
        {
            for (var i = 0; i < weights.Length; i++)
            {
                order[count++] = i;
            }

            return count;
        }

        // A hair below the bucket's lower edge so that float rounding can only add candidates, never drop one.
        var cutoff = MathF.Exp(-(last + 1) / SamplerScratch.BucketsPerNat) * 0.9999f;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] >= cutoff)
            {
                order[count++] = i;
            }
        }

        return count;
    }

    // Bounded min-heap of the k largest weights (ties: the lower token id wins), O(V log k).
    private static int SelectTopK(ReadOnlySpan<float> weights, int[] order, int k)
    {
        var size = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (size < k)
            {
                var at = size++;
                while (at > 0)
                {
                    var parent = (at - 1) >> 1;
                    if (!Before(weights, order[parent], i))
                    {
                        break;
                    }

                    order[at] = order[parent];
                    at = parent;
                }

                order[at] = i;
            }
            else if (Before(weights, i, order[0]))
            {
                SiftDown(weights, order, size, i);
            }
        }

        return size;
    }

    // Heap order: the root is the worst kept token; "Before(a, b)" is true when a ranks above b.
    private static bool Before(ReadOnlySpan<float> weights, int a, int b) => weights[a] > weights[b] || (weights[a] == weights[b] && a < b);

    private static void SiftDown(ReadOnlySpan<float> weights, int[] order, int size, int token)
    {
        var at = 0;
        while (true)
        {
            var child = (2 * at) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && Before(weights, order[child], order[child + 1]))
            {
                child++;
            }

            if (!Before(weights, token, order[child]))
            {
                break;
            }

            order[at] = order[child];
            at = child;
        }

        order[at] = token;
    }

    // Weight descending, then token id ascending, as one primitive sort of (inverted weight bits, id) keys: weights are
    // non-negative floats, whose bit patterns order as the values do.
    private static void SortByWeight(Span<int> candidates, ReadOnlySpan<float> weights, ulong[] keys)
    {
        var span = keys.AsSpan(0, candidates.Length);
        for (var i = 0; i < candidates.Length; i++)
        {
            span[i] = SortKey(weights, candidates[i]);
        }

        span.Sort();
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = (int)(uint)span[i];
        }
    }

    private static ulong SortKey(ReadOnlySpan<float> weights, int token) =>
        ((ulong)~BitConverter.SingleToUInt32Bits(weights[token]) << 32) | (uint)token;

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

        var ending = SortedBucket(weights, scratch, last, 0);
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
                return Walk(weights, SortedBucket(weights, scratch, b, ending.Length), target, cumulative);
            }

            cumulative += buckets[b];
        }

        return Walk(weights, ending[..Math.Max(count, 1)], target, cumulative);
    }

    // The tokens of one bucket as sort keys, heaviest first, written into the key buffer from offset on.
    private static ReadOnlySpan<ulong> SortedBucket(ReadOnlySpan<float> weights, SamplerScratch scratch, int bucket, int offset)
    {
        var tokenBuckets = scratch.TokenBuckets;
        var keys = scratch.Keys;
        var count = offset;
        for (var i = 0; i < weights.Length; i++)
        {
            if (tokenBuckets[i] == bucket)
            {
                keys[count++] = SortKey(weights, i);
            }
        }

        var span = keys.AsSpan(offset, count - offset);
        span.Sort();
        return span;
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

    // log Σ exp(logit): max + log Σ exp(logit - max), with the exponentials in scratch (vector passes, a double sum).
    private static float LogSumExp(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        var max = TensorPrimitives.Max(logits);
        if (float.IsNegativeInfinity(max))
        {
            return max;
        }

        TensorPrimitives.Subtract(logits, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        double sum = 0;
        foreach (var e in scratch)
        {
            sum += e;
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
