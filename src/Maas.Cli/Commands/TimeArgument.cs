using System.Globalization;
using System.Text.RegularExpressions;

namespace Maas.Cli.Commands;

/// <summary>Times given on the command line: a span from now (<c>30d</c>, <c>12h</c>, <c>90m</c>, <c>2w</c>) or an ISO 8601 time.</summary>
internal static partial class TimeArgument
{
    /// <summary>Parses <paramref name="text"/>; a span counts forward (<paramref name="forward"/>) or back from <paramref name="now"/>.</summary>
    public static bool TryParse(string text, DateTimeOffset now, bool forward, out DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Span().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = match.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
            value = forward ? now + span : now - span;
            return amount > 0;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smhdw])$")]
    private static partial Regex Span();
}
