using Maas.Core.Models;

namespace Maas.Core.Engines;

/// <summary>What an engine needs to load one version: its manifest and local paths to its files.</summary>
/// <param name="Key">A display key such as <c>all-minilm-l6-v2:1</c>, for logs and errors.</param>
/// <param name="Manifest">The version's manifest.</param>
/// <param name="Files">Logical file name (e.g. <c>model.onnx</c>) to a readable local path.</param>
/// <param name="Settings">Deployment settings (threads, batching); not part of the version.</param>
public sealed record ModelLoadContext(
    string Key,
    ModelManifest Manifest,
    IReadOnlyDictionary<string, string> Files,
    DeploymentSettings Settings)
{
    /// <summary>The local path of the manifest's main model file.</summary>
    public string ModelPath => Files.TryGetValue(Manifest.ModelFile, out var path)
        ? path
        : throw Errors.MaasException.NotFound($"Version {Key} has no file '{Manifest.ModelFile}'.");
}
