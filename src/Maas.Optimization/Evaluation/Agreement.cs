namespace Maas.Optimization.Evaluation;

/// <summary>The per-sample agreement measures of a report: cosine similarity, top-1 agreement and greedy-token agreement.</summary>
internal static class Agreement
{
    public const string Cosine = "cosine";
    public const string Top1 = "top1-agreement";
    public const string GreedyTokens = "greedy-token-agreement";

    /// <summary>Cosine similarity of two vectors of the same length; 1 when both are zero, 0 when only one is.</summary>
    public static double CosineSimilarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Vectors of lengths {a.Length} and {b.Length} cannot be compared.", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        if (na == 0 && nb == 0)
        {
            return 1;
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    public static double CosineSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var da = new double[a.Length];
        var db = new double[b.Length];
        for (var i = 0; i < da.Length; i++)
        {
            da[i] = a[i];
        }

        for (var i = 0; i < db.Length; i++)
        {
            db[i] = b[i];
        }

        return CosineSimilarity(da, db);
    }

    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
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

    /// <summary>The share of two greedy continuations that agree: the length of their common prefix over the longer
    /// one (tokens after the first difference are conditioned on different text, so they are not compared).</summary>
    public static double TokenPrefixAgreement(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var longest = Math.Max(a.Count, b.Count);
        if (longest == 0)
        {
            return 1;
        }

        var common = 0;
        while (common < a.Count && common < b.Count && a[common] == b[common])
        {
            common++;
        }

        return common / (double)longest;
    }
}
