namespace Maas.Cli.Client;

/// <summary>The body of <c>GET /api/jobs</c>.</summary>
internal sealed record JobList(IReadOnlyList<JobInfo>? Jobs);
