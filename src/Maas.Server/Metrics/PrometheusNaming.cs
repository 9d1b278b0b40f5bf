using System.Text;

namespace Maas.Server.Metrics;

/// <summary>Turns OpenTelemetry instrument names, units and tag keys into Prometheus names.</summary>
/// <remarks>
/// Follows the OpenTelemetry-to-Prometheus compatibility rules: characters outside <c>[a-zA-Z0-9_:]</c> become
/// <c>_</c>, the unit is appended as a word (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations in
/// braces such as <c>{request}</c> are dropped), and monotonic counters end in <c>_total</c>.
/// </remarks>
internal static class PrometheusNaming
{
    public static string MetricName(string instrument, string? unit, bool counter)
    {
        var name = Sanitize(instrument, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>The word a unit adds to a metric name, or an empty string for none (dimensionless, annotations).</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return string.Empty;
        }

        // "{request}" and "By{cache}": curly-brace annotations carry no unit.
        var braces = unit.IndexOf('{', StringComparison.Ordinal);
        var bare = braces < 0 ? unit : unit[..braces];
        if (bare.Length == 0 || bare == "1")
        {
            return string.Empty;
        }

        var slash = bare.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var per = Word(bare[(slash + 1)..]);
            return Word(bare[..slash]) + (per.Length == 0 ? string.Empty : "_per_" + per);
        }

        return Word(bare);
    }

    private static string Word(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "bit" => "bits",
        "Hz" => "hertz",
        "%" => "percent",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Sanitize(string text, bool allowColon)
    {
        var name = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var next = valid ? c : '_';

            // "a..b" and "a._b" become "a_b", as the OpenTelemetry Prometheus exporter writes them.
            if (next == '_' && name.Length > 0 && name[^1] == '_')
            {
                continue;
            }

            name.Append(next);
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }
}
