using System.Globalization;

namespace Maas.Cli.Bench;

/// <summary>Comma-separated lists of positive numbers: <c>--concurrency 1,2,4,8</c>, <c>--rate 50,100</c>.</summary>
internal static class NumberList
{
    public static bool TryParseIntegers(string text, out int[] values)
    {
        values = [];
        var parts = Split(text);
        var parsed = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] < 1)
            {
                return false;
            }
        }

        values = parsed;
        return parts.Length > 0;
    }

    public static bool TryParseRates(string text, out double[] values)
    {
        values = [];
        var parts = Split(text);
        var parsed = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[i]) || !double.IsFinite(parsed[i]) || parsed[i] <= 0)
            {
                return false;
            }
        }

        values = parsed;
        return parts.Length > 0;
    }

    private static string[] Split(string text) =>
        (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
