using System.Text.Json;

namespace Maas.Jobs;

/// <summary>A job as submitted: its kind, its parameters (an object whose shape the handler defines) and who asked.</summary>
public sealed record JobRequest(string Kind, JsonElement Parameters, string Actor);
