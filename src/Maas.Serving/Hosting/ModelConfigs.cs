using System.Collections.Immutable;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Serving.Hosting;

/// <summary>Each model's <see cref="ModelConfig"/> as last read from the registry: effective settings (the model's
/// overrides over <c>Maas:Serving:Defaults</c>), pinned versions and existing versions.</summary>
/// <remarks>Read on a model's first use and again on each registry change (<see cref="RefreshAsync"/>); published as an
/// immutable dictionary, so a reader never sees half an update.</remarks>
internal sealed class ModelConfigs(IModelRegistry registry, DeploymentSettings defaults)
{
    private ImmutableDictionary<string, ModelConfig> _configs = ImmutableDictionary.Create<string, ModelConfig>(StringComparer.Ordinal);

    /// <summary>The model's configuration, read from the registry on first use.</summary>
    /// <exception cref="MaasException">NotFound when the model does not exist.</exception>
    public async Task<ModelConfig> GetAsync(string model, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _configs).TryGetValue(model, out var cached))
        {
            return cached;
        }

        var read = await ReadAsync(model, cancellationToken).ConfigureAwait(false)
            ?? throw MaasException.NotFound($"Model '{model}' not found.");

        // A reconcile may have stored a newer reading meanwhile; keep that one.
        return ImmutableInterlocked.GetOrAdd(ref _configs, model, read);
    }

    /// <summary>Reads the model's configuration again (after a registry change); null, and forgotten, when the model is gone.</summary>
    public async Task<ModelConfig?> RefreshAsync(string model, CancellationToken cancellationToken)
    {
        var config = await ReadAsync(model, cancellationToken).ConfigureAwait(false);
        if (config is null)
        {
            ImmutableInterlocked.TryRemove(ref _configs, model, out _);
            return null;
        }

        ImmutableInterlocked.AddOrUpdate(ref _configs, model, config, (_, _) => config);
        return config;
    }

    /// <summary>Whether an alias or the default route points at the version, or the model has not been read yet (when in
    /// doubt, a version stays loaded).</summary>
    public bool IsPinned(string model, int version) =>
        !Volatile.Read(ref _configs).TryGetValue(model, out var config) || config.Pinned.Contains(version);

    private async Task<ModelConfig?> ReadAsync(string model, CancellationToken cancellationToken)
    {
        var details = await registry.GetModelAsync(model, cancellationToken).ConfigureAwait(false);
        if (details is null)
        {
            return null;
        }

        DeploymentOverrides overrides;
        try
        {
            overrides = (await registry.GetDeploymentAsync(model, cancellationToken).ConfigureAwait(false)).Overrides;
        }
        catch (MaasException ex) when (ex.Kind == MaasErrorKind.NotFound)
        {
            return null;
        }

        var aliases = details.Summary.Aliases;
        var pinned = aliases.Values.ToImmutableHashSet();
        var defaultVersion = aliases.TryGetValue(ModelReference.DefaultAlias, out var production) ? production : details.Summary.LatestVersion;
        if (defaultVersion is { } number)
        {
            pinned = pinned.Add(number);
        }

        return new ModelConfig(overrides.ApplyTo(defaults), pinned, details.Versions.Select(v => v.Version).ToImmutableHashSet());
    }
}
