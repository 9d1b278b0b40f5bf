using System.Globalization;

namespace Maas.Cli.Output;

/// <summary>Times as the user's clock shows them, to the minute; seconds are noise in listings.</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset at) =>
        at == default ? "-" : at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Without the year (<c>MM-dd HH:mm</c>), for narrow table columns about recent events.</summary>
    public static string Short(DateTimeOffset? at) =>
        at is not { } value || value == default ? "-" : value.ToLocalTime().ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
}
