using System.Text.Json.Serialization;

namespace Maas.Cli.Bench;

/// <summary>Serializes <c>maas bench --json</c> reports: snake_case, indented, nulls kept so every field is always there.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
