namespace Maas.Bench;

/// <summary>The sampler's top-p before partial selection (commit 63e84a6): weights, then a full sort of the vocabulary.</summary>
internal sealed class LegacyFullSortSampler(float temperature, float topP, int seed)
{
    private readonly Random _random = new(seed);

    public int Sample(ReadOnlySpan<float> logits, float[] values, float[] keys, int[] order)
    {
        var weights = values.AsSpan(0, logits.Length);
        logits.CopyTo(weights);
        var max = weights[0];
        foreach (var w in weights)
        {
            max = Math.Max(max, w);
        }

        var inverseTemperature = 1.0 / temperature;
        double total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var weight = (float)Math.Exp((weights[i] - max) * inverseTemperature);
            weights[i] = weight;
            total += weight;
        }

        var sortKeys = keys.AsSpan(0, weights.Length);
        var sortOrder = order.AsSpan(0, weights.Length);
        for (var i = 0; i < weights.Length; i++)
        {
            sortKeys[i] = -weights[i];
            sortOrder[i] = i;
        }

        sortKeys.Sort(sortOrder);
        var threshold = topP * total;
        double kept = 0;
        var count = 0;
        while (count < sortOrder.Length && (count == 0 || kept < threshold))
        {
            kept += weights[sortOrder[count]];
            count++;
        }

        var target = _random.NextDouble() * kept;
        double cumulative = 0;
        for (var i = 0; i < count; i++)
        {
            cumulative += weights[sortOrder[i]];
            if (target < cumulative)
            {
                return sortOrder[i];
            }
        }

        return sortOrder[count - 1];
    }
}
