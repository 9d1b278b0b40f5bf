namespace Maas.Cli.Client;

/// <summary>What to upload as a new version of <see cref="Model"/>.</summary>
/// <param name="Model">The model name; the server creates the model on its first push.</param>
/// <param name="FilePaths">Local files, each sent as one <c>file</c> part under its own file name.</param>
/// <param name="Alias">Alias to point at the new version, if any.</param>
/// <param name="Description">Model description to set, if any.</param>
/// <param name="ManifestJson">Manifest text to send as the <c>manifest</c> part; null lets the server detect it.</param>
/// <param name="Base">For a LoRA adapter: its base model reference, sent as the <c>base</c> part.</param>
internal sealed record ModelPushRequest(
    string Model,
    IReadOnlyList<string> FilePaths,
    string? Alias = null,
    string? Description = null,
    string? ManifestJson = null,
    string? Base = null);
