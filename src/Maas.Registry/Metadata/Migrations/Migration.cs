namespace Maas.Registry.Metadata.Migrations;

/// <summary>One step of the schema's history; applied once, in order, and recorded in <c>schema_migrations</c>.</summary>
/// <param name="Version">Position in the history; never reused or renumbered once released.</param>
/// <param name="Name">Short description recorded with the version.</param>
/// <param name="Statements">The DDL, spelled for the given dialect.</param>
internal sealed record Migration(int Version, string Name, Func<ISqlDialect, IReadOnlyList<string>> Statements);
