namespace Maas.Cli.Client;

/// <summary>One immutable model version: what <c>push</c> returns and what <c>show</c> lists.</summary>
/// <remarks><see cref="Model"/> is only filled where the version is returned on its own (push); nested in a model it is null.</remarks>
internal sealed record ModelVersionInfo
{
    public string? Model { get; init; }

    public int Version { get; init; }

    public ManifestInfo? Manifest { get; init; }

    public IReadOnlyList<ModelFileInfo> Files { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public ModelLineage? Lineage { get; init; }

    /// <summary>The measured report of the transform that made this version; null for pushed versions.</summary>
    public VersionReportInfo? Report { get; init; }
}
