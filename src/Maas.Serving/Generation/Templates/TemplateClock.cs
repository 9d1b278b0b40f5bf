using System.Globalization;
using System.Text;

namespace Maas.Serving.Generation.Templates;

/// <summary><c>strftime_now(format)</c>: the current date in Python's strftime format (the codes chat templates use).</summary>
internal static class TemplateClock
{
    public static string Format(DateTimeOffset now, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var output = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                output.Append(format[i]);
                continue;
            }

            var code = format[++i];
            output.Append(code switch
            {
                'd' => now.Day.ToString("00", culture),
                'm' => now.Month.ToString("00", culture),
                'Y' => now.Year.ToString(culture),
                'y' => (now.Year % 100).ToString("00", culture),
                'b' => now.ToString("MMM", culture),
                'B' => now.ToString("MMMM", culture),
                'a' => now.ToString("ddd", culture),
                'A' => now.ToString("dddd", culture),
                'H' => now.Hour.ToString("00", culture),
                'I' => (now.Hour % 12 == 0 ? 12 : now.Hour % 12).ToString("00", culture),
                'p' => now.Hour < 12 ? "AM" : "PM",
                'M' => now.Minute.ToString("00", culture),
                'S' => now.Second.ToString("00", culture),
                'j' => now.DayOfYear.ToString("000", culture),
                '%' => "%",
                _ => "%" + code,
            });
        }

        return output.ToString();
    }
}
