using System.Text.Json;
using Maas.Registry.Abstractions;

namespace Maas.Server.Admin;

/// <summary><c>POST /api/jobs</c>: the job kind and its parameters object (shape defined by the kind).</summary>
public sealed record SubmitJobRequest(string? Kind, JsonElement? Parameters);

/// <summary><c>GET /api/jobs</c>: jobs newest first.</summary>
public sealed record JobListResponse(IReadOnlyList<JobRecord> Jobs);
