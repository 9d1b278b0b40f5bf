using Microsoft.Extensions.Logging;

namespace Maas.Registry.Metadata;

/// <summary>Log messages of the PostgreSQL metadata database; event ids 6200-6299.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 6200, Level = LogLevel.Information,
        Message = "Registry database {Location} reachable (PostgreSQL {Version}); at most {MaxPoolSize} pooled connections from this replica")]
    public static partial void Connected(ILogger logger, string location, string version, int maxPoolSize);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information,
        Message = "Start-up removes only staging leftovers older than {LeaseDuration}: the database is shared, so another replica may be uploading into the store")]
    public static partial void StagingKept(ILogger logger, TimeSpan leaseDuration);

}
