namespace Maas.Cli.Bench;

/// <summary>The result of <c>maas bench</c>: what was measured against what, and one entry per level.</summary>
internal sealed record BenchReport(
    string Model,
    string Server,
    string Protocol,
    string Input,
    int RowsPerRequest,
    double? DurationSeconds,
    int? RequestsPerLevel,
    double WarmupSeconds,
    int Seed,
    IReadOnlyList<LevelResult> Levels);
