namespace Maas.Registry.Metadata;

/// <summary>Builds statement text shared by dialects that speak the same syntax.</summary>
internal static class SqlText
{
    /// <summary><c>INSERT ... ON CONFLICT (...) DO UPDATE</c>, understood by SQLite 3.24+ and PostgreSQL 9.5+.</summary>
    public static string StandardUpsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns)
    {
        var columns = keyColumns.Concat(valueColumns).ToList();
        var updates = string.Join(", ", valueColumns.Select(c => $"{c} = excluded.{c}"));
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))}) " +
               $"ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {updates}";
    }
}
