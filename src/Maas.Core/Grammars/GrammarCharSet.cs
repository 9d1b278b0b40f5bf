namespace Maas.Core.Grammars;

/// <summary>A set of Unicode code points: sorted, merged inclusive ranges, possibly negated.</summary>
internal sealed class GrammarCharSet
{
    private readonly int[] _ranges;
    private readonly ulong _asciiLow;
    private readonly ulong _asciiHigh;

    public GrammarCharSet(IEnumerable<(int Low, int High)> ranges, bool negated)
    {
        var merged = new List<(int Low, int High)>();
        foreach (var (low, high) in ranges.Where(r => r.Low <= r.High).OrderBy(r => r.Low))
        {
            if (merged.Count > 0 && low <= merged[^1].High + 1)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, high));
            }
            else
            {
                merged.Add((low, high));
            }
        }

        _ranges = new int[merged.Count * 2];
        for (var i = 0; i < merged.Count; i++)
        {
            _ranges[2 * i] = merged[i].Low;
            _ranges[(2 * i) + 1] = merged[i].High;
        }

        Negated = negated;
        for (var c = 0; c < 128; c++)
        {
            if (ContainsSlow(c))
            {
                if (c < 64)
                {
                    _asciiLow |= 1UL << c;
                }
                else
                {
                    _asciiHigh |= 1UL << (c - 64);
                }
            }
        }
    }

    public bool Negated { get; }

    public static GrammarCharSet Single(int codePoint) => new([(codePoint, codePoint)], false);

    /// <summary>Every code point (GBNF's <c>.</c>).</summary>
    public static GrammarCharSet Any() => new([], true);

    public bool Contains(int codePoint)
    {
        if (codePoint < 64)
        {
            return (_asciiLow & (1UL << codePoint)) != 0;
        }

        if (codePoint < 128)
        {
            return (_asciiHigh & (1UL << (codePoint - 64))) != 0;
        }

        return ContainsSlow(codePoint);
    }

    /// <summary>Whether some code point in [low, high] is in the set (a partly read UTF-8 character can still match).</summary>
    public bool Intersects(int low, int high)
    {
        if (!Negated)
        {
            for (var i = 0; i < _ranges.Length; i += 2)
            {
                if (_ranges[i] <= high && _ranges[i + 1] >= low)
                {
                    return true;
                }
            }

            return false;
        }

        // The complement meets [low, high] unless the ranges cover all of it.
        var next = low;
        for (var i = 0; i < _ranges.Length && next <= high; i += 2)
        {
            if (_ranges[i] > next)
            {
                return true;
            }

            next = Math.Max(next, _ranges[i + 1] + 1);
        }

        return next <= high;
    }

    private bool ContainsSlow(int codePoint)
    {
        var inside = false;
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            if (codePoint >= _ranges[i] && codePoint <= _ranges[i + 1])
            {
                inside = true;
                break;
            }
        }

        return inside != Negated;
    }
}
