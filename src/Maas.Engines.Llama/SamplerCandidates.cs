namespace Maas.Engines.Llama;

/// <summary>The candidate sets of a draw, found without sorting the vocabulary: top-k with a bounded heap, the top-p
/// nucleus from a histogram of the weights (bucketed by distance below the best logit), and the candidates (or one
/// bucket) sorted by weight through primitive sort keys.</summary>
/// <remarks>Weights are non-negative and the best token's is 1; ties go to the lower token id.</remarks>
internal static class SamplerCandidates
{
    public static int Bucket(float distance) =>
        distance < (SamplerScratch.Buckets - 1) / SamplerScratch.BucketsPerNat ? (int)(distance * SamplerScratch.BucketsPerNat) : SamplerScratch.Buckets - 1;

    /// <summary>Every token whose bucket is at or before the one where the cumulative weight reaches the threshold: a superset of the nucleus.</summary>
    public static int SelectNucleusBuckets(ReadOnlySpan<float> weights, int[] order, double[] buckets, double threshold)
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

    /// <summary>Bounded min-heap of the k largest weights (ties: the lower token id wins), O(V log k).</summary>
    public static int SelectTopK(ReadOnlySpan<float> weights, int[] order, int k)
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

    /// <summary>Weight descending, then token id ascending, as one primitive sort of (inverted weight bits, id) keys: weights are
    /// non-negative floats, whose bit patterns order as the values do.</summary>
    public static void SortByWeight(Span<int> candidates, ReadOnlySpan<float> weights, ulong[] keys)
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

    public static ulong SortKey(ReadOnlySpan<float> weights, int token) =>
        ((ulong)~BitConverter.SingleToUInt32Bits(weights[token]) << 32) | (uint)token;

    /// <summary>The tokens of one bucket as sort keys, heaviest first, written into the key buffer from offset on.</summary>
    public static ReadOnlySpan<ulong> SortedBucket(ReadOnlySpan<float> weights, SamplerScratch scratch, int bucket, int offset)
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
}
