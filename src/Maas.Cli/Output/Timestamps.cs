using System.Globalization;

namespace Maas.Cli.Output;

/// <summary>Times as the user's clock shows them, to the minute; seconds are noise in listings.</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset at) =>
        at == default ? "-" : at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
