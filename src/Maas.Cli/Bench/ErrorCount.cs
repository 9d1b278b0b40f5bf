namespace Maas.Cli.Bench;

/// <summary>Failed requests of one kind (<c>HTTP 429</c>, <c>timeout</c>, <c>connection</c>) and the first message seen.</summary>
internal sealed record ErrorCount(string Kind, int Count, string Sample);
