namespace Maas.Cli.Client;

/// <summary>One parent of a derived version and its role (<c>source</c>, <c>base</c>, <c>adapter</c> ...).</summary>
internal sealed record LineageParentInfo(string Model, int Version, string? Role);
