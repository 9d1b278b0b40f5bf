using Npgsql;

namespace Maas.Registry.Metadata;

/// <summary>Reads <c>Maas:Registry:Database</c>: a SQLite file path, or a PostgreSQL connection string or URL.</summary>
internal static class DatabaseTarget
{
    /// <summary>Whether the setting names a PostgreSQL database rather than a SQLite file.</summary>
    /// <remarks>
    /// A <c>postgres://</c> or <c>postgresql://</c> URL, or a keyword connection string naming a host
    /// (<c>Host=db;Username=maas;Database=maas</c>). Anything else is a file path, so a path containing
    /// <c>=</c> stays a path unless it also names a host.
    /// </remarks>
    public static bool IsPostgres(string? database)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return false;
        }

        var text = database.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return text.Split(';').Select(part => part.Split('=', 2)[0].Trim())
            .Any(key => key.Equals("Host", StringComparison.OrdinalIgnoreCase) || key.Equals("Server", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The SQLite file setting: <see cref="RegistryOptions.Database"/> when it is a path, else <see cref="RegistryOptions.DatabaseFile"/>.</summary>
    public static string SqliteFile(RegistryOptions options) =>
        !string.IsNullOrWhiteSpace(options.Database) && !IsPostgres(options.Database) ? options.Database : options.DatabaseFile;

    /// <summary>An Npgsql connection string builder for the setting; URLs become keywords.</summary>
    /// <exception cref="ArgumentException">The text is not a valid connection string or URL.</exception>
    public static NpgsqlConnectionStringBuilder ToConnectionString(string database)
    {
        var text = database.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            return new NpgsqlConnectionStringBuilder(text);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new ArgumentException("not a valid postgres:// URL");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var user = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(user[0]);
            if (user.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(user[1]);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            builder.Database = Uri.UnescapeDataString(path);
        }

        // Query parameters are connection string keywords (postgres://h/db?sslmode=require&Maximum%20Pool%20Size=10).
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]).Replace('_', ' ');
            builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
        }

        return builder;
    }
}
