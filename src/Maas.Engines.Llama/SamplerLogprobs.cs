using System.Numerics.Tensors;
using Maas.Core.Engines;

namespace Maas.Engines.Llama;

/// <summary>The model's log-probabilities of a draw: log-softmax of the raw logits (before bias, penalties and
/// temperature, as OpenAI reports them) and the most likely alternatives.</summary>
internal static class SamplerLogprobs
{
    /// <summary>log Σ exp(logit): max + log Σ exp(logit - max), with the exponentials in scratch (vector passes, a double sum).</summary>
    public static float LogSumExp(ReadOnlySpan<float> logits, Span<float> scratch)
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

    public static TokenAlternative[] TopAlternatives(ReadOnlySpan<float> logits, float logNormalizer, int count)
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
