using System.Data.Common;
using System.Globalization;

namespace Maas.Registry.Metadata;

/// <summary>How values are spelled in the metadata store, kept identical across dialects.</summary>
/// <remarks>Timestamps are UTC ISO-8601 text with a fixed width, so text order is time order in any database.</remarks>
internal static class DbValues
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(reader.GetString(ordinal), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            DateTimeKind.Utc));

    public static string? ReadNullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? ReadNullableInt(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static int ToInt(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    public static long ToLong(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
