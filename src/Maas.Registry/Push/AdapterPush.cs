using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Push;

/// <summary>Turns a pushed GGUF LoRA adapter into an adapter version: checks it against its base version, adds the
/// base's model file to the version's files (stored once: blobs are content-addressed) and records the base as a
/// lineage parent in the <c>base</c> role.</summary>
/// <remarks>
/// The adapter is a version of its own model, as Ollama (<c>FROM base</c> + <c>ADAPTER</c>) and vLLM
/// (<c>--lora-modules name=path</c>, listed with its <c>parent</c>) present adapters: clients name it like any model,
/// or as <c>base+adapter</c>. An adapter that does not fit its base (architecture, tensor names, dimensions: the checks
/// llama.cpp makes at load) is refused with a 400 before anything is committed.
/// </remarks>
internal static class AdapterPush
{
    /// <summary>The lineage role of an adapter's base version.</summary>
    public const string BaseRole = "base";

    /// <summary>The transform named in an adapter version's lineage.</summary>
    public const string Transform = "lora";

    /// <summary>The adapter's header when the manifest's model file is a GGUF adapter, else null.</summary>
    public static GgufFile? ReadAdapter(ModelManifest manifest, IReadOnlyList<ArtifactFile> files, Func<string, string> localPath)
    {
        if (manifest.Format != ModelFormats.Gguf)
        {
            return null;
        }

        var modelFile = files.First(f => string.Equals(f.Name, manifest.ModelFile, StringComparison.Ordinal));
        var header = GgufReader.Read(localPath(modelFile.Sha256));
        return LoraGguf.IsAdapter(header) ? header : null;
    }

    /// <summary>An adapter push completed: its base resolved (through <paramref name="resolve"/>) and checked, the base's
    /// model file added, the base recorded in the request's lineage.</summary>
    public static async Task<(ModelManifest Manifest, List<ArtifactFile> Files, PushRequest Request)> CompleteAsync(
        PushRequest request,
        ModelManifest manifest,
        List<ArtifactFile> files,
        GgufFile adapter,
        Func<ModelReference, CancellationToken, Task<ModelVersionInfo>> resolve,
        Func<string, CancellationToken, Task<string>> localPath,
        CancellationToken cancellationToken)
    {
        var reference = BaseReference(request);
        ModelVersionInfo baseVersion;
        try
        {
            baseVersion = await resolve(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (MaasException e) when (e.Kind == MaasErrorKind.NotFound)
        {
            throw MaasException.InvalidArgument($"The adapter's base {reference.Name} cannot be found: {e.Message}.");
        }

        RequireGgufBase(baseVersion);
        var baseFile = baseVersion.Files.FirstOrDefault(f => string.Equals(f.Name, baseVersion.Manifest.ModelFile, StringComparison.Ordinal))
            ?? throw MaasException.InvalidArgument($"Base {baseVersion.Key} has no model file.");
        var baseHeader = GgufReader.Read(await localPath(baseFile.Sha256, cancellationToken).ConfigureAwait(false));
        var (completed, all, lineage) = Complete(request, manifest, files, adapter, baseVersion, baseHeader);
        return (completed, all, request with { Lineage = lineage });
    }

    /// <summary>The base the push names: <see cref="PushRequest.Base"/>, else a lineage parent in the base role.</summary>
    public static ModelReference BaseReference(PushRequest request)
    {
        if (!string.IsNullOrWhiteSpace(request.Base))
        {
            return ModelReference.TryParse(request.Base.Trim(), null, out var reference, out var error)
                ? reference
                : throw MaasException.InvalidArgument($"Base '{request.Base}' is not a model reference: {error}");
        }

        if (request.Lineage?.Parents.FirstOrDefault(p => p.Role == BaseRole) is { } parent)
        {
            return new ModelReference(parent.Model, Version: parent.Version);
        }

        throw MaasException.InvalidArgument(
            $"'{request.Model}' is a LoRA adapter: name its base model (push field 'base', e.g. 'llama-3:1', or a lineage parent in the '{BaseRole}' role).");
    }

    /// <summary>Refuses a base that is not a GGUF model (an ONNX model, another adapter).</summary>
    public static void RequireGgufBase(ModelVersionInfo baseVersion)
    {
        if (AdapterProperties.IsAdapter(baseVersion.Manifest) || baseVersion.Manifest.Format != ModelFormats.Gguf)
        {
            throw MaasException.InvalidArgument($"Base {baseVersion.Key} is not a GGUF model; an adapter's base must be one (not another adapter).");
        }
    }

    /// <summary>The adapter version's manifest, files and lineage over <paramref name="baseVersion"/>.</summary>
    public static (ModelManifest Manifest, List<ArtifactFile> Files, Lineage Lineage) Complete(
        PushRequest request, ModelManifest detected, IReadOnlyList<ArtifactFile> files, GgufFile adapter, ModelVersionInfo baseVersion, GgufFile baseHeader)
    {
        if (LoraGguf.Mismatch(adapter, baseHeader) is { } mismatch)
        {
            throw MaasException.InvalidArgument($"The adapter does not fit base {baseVersion.Key}: {mismatch}.");
        }

        if (files.Any(f => string.Equals(f.Name, AdapterProperties.BaseFileName, StringComparison.OrdinalIgnoreCase)))
        {
            throw MaasException.InvalidArgument($"An adapter push cannot contain a file named '{AdapterProperties.BaseFileName}'; that name holds the base model.");
        }

        var baseFile = baseVersion.Files.First(f => string.Equals(f.Name, baseVersion.Manifest.ModelFile, StringComparison.Ordinal));
        var all = new List<ArtifactFile>(files) { new(AdapterProperties.BaseFileName, baseFile.Size, baseFile.Sha256) };
        all.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var pairs = LoraGguf.Pairs(adapter);
        var rank = pairs.Max(p => p.Rank);
        var alpha = LoraGguf.Alpha(adapter);

        // The base's facts (vocabulary, chat template, context length) describe what the adapter version serves.
        var properties = new Dictionary<string, string>(baseVersion.Manifest.Properties, StringComparer.Ordinal);
        foreach (var (key, value) in detected.Properties.Where(p => p.Key is "name" or "parameter_count" or "quantization" or "file_type"))
        {
            properties["adapter." + key] = value;
        }

        properties[AdapterProperties.Type] = LoraGguf.LoraAdapterType;
        properties[AdapterProperties.BaseFile] = AdapterProperties.BaseFileName;
        properties[AdapterProperties.BaseModel] = baseVersion.Model;
        properties[AdapterProperties.BaseVersion] = baseVersion.Version.ToString(CultureInfo.InvariantCulture);
        properties[AdapterProperties.Rank] = rank.ToString(CultureInfo.InvariantCulture);
        if (alpha is { } a)
        {
            properties[AdapterProperties.Alpha] = a.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in request.Manifest?.Properties ?? new Dictionary<string, string>())
        {
            properties[key] = value;
        }

        var manifest = detected with { Task = baseVersion.Manifest.Task, Properties = properties };
        var parent = new LineageParent(baseVersion.Model, baseVersion.Version, BaseRole);
        var lineage = request.Lineage is { } given
            ? given.Parents.Any(p => p.Model == parent.Model && p.Version == parent.Version)
                ? given
                : given with { Parents = [.. given.Parents.Where(p => p.Role != BaseRole), parent] }
            : new Lineage([parent], Transform, new Dictionary<string, string>
            {
                ["rank"] = properties[AdapterProperties.Rank],
                ["alpha"] = alpha?.ToString(CultureInfo.InvariantCulture) ?? "none",
            });
        return (manifest, all, lineage);
    }
}
