using Maas.Core.Models;

namespace Maas.Registry.Abstractions;

/// <summary>A new version: its files, an optional (partial) manifest and optional lineage.</summary>
public sealed record PushRequest
{
    public required string Model { get; init; }

    /// <summary>Files by logical name (e.g. <c>model.onnx</c>, <c>vocab.txt</c>); the streams are read once.</summary>
    public required IReadOnlyList<PushFile> Files { get; init; }

    /// <summary>Manifest given by the caller; missing parts are detected from the files. Null detects everything.</summary>
    public ModelManifest? Manifest { get; init; }

    /// <summary>Description for the model (set on first push, or updated when given).</summary>
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Lineage: the versions this one was derived from, and how.</summary>
    public Lineage? Lineage { get; init; }

    /// <summary>The measured report of the transform that produced this version (stored with it).</summary>
    public VersionReport? Report { get; init; }

    /// <summary>For a LoRA adapter: its base model (<c>name</c>, <c>name:version</c> or <c>name@alias</c>); resolved to
    /// a version at push time and recorded as a lineage parent in the <c>base</c> role.</summary>
    public string? Base { get; init; }

    /// <summary>An alias to point at the new version in the same transaction.</summary>
    public string? Alias { get; init; }

    public string Actor { get; init; } = "anonymous";
}

/// <summary>One file of a push.</summary>
public sealed record PushFile(string Name, Stream Content);
