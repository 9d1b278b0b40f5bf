using System.Globalization;
using System.Text;

namespace Maas.Cli.Bench;

/// <summary>The samples of one scrape of a Prometheus text endpoint (format 0.0.4), for the sums a bench needs.</summary>
internal sealed class MetricsScrape
{
    private readonly List<Sample> _samples;

    private MetricsScrape(List<Sample> samples) => _samples = samples;

    public static MetricsScrape Empty { get; } = new([]);

    public IReadOnlyList<Sample> Samples => _samples;

    /// <summary>Parses the exposition; comments and lines it cannot read are skipped.</summary>
    public static MetricsScrape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryParseLine(line, out var sample))
            {
                samples.Add(sample);
            }
        }

        return new MetricsScrape(samples);
    }

    /// <summary>The sum of every series of <paramref name="name"/> whose labels include all of <paramref name="labels"/>;
    /// null when there is no such series.</summary>
    public double? Sum(string name, params (string Name, string Value)[] labels)
    {
        double? total = null;
        foreach (var sample in _samples)
        {
            if (sample.Name == name && labels.All(l => sample.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            {
                total = (total ?? 0) + sample.Value;
            }
        }

        return total;
    }

    private static bool TryParseLine(string line, out Sample sample)
    {
        sample = default!;
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ' && line[i] != '\t')
        {
            i++;
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{' && !TryParseLabels(line, ref i, labels))
        {
            return false;
        }

        var rest = line[i..].Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || rest.Length == 0 || !TryParseValue(rest[0], out var value))
        {
            return false;
        }

        sample = new Sample(name, labels, value);
        return true;
    }

    // At '{'; leaves i after '}'.
    private static bool TryParseLabels(string line, ref int i, Dictionary<string, string> labels)
    {
        i++;
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == ','))
            {
                i++;
            }

            if (i < line.Length && line[i] == '}')
            {
                i++;
                return true;
            }

            var start = i;
            while (i < line.Length && line[i] != '=')
            {
                i++;
            }

            if (i + 1 >= line.Length || line[i + 1] != '"')
            {
                return false;
            }

            var key = line[start..i].Trim();
            i += 2;
            var value = new StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            if (i >= line.Length)
            {
                return false;
            }

            i++;
            labels[key] = value.ToString();
        }

        return false;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>One line of the exposition: a series and its value.</summary>
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
