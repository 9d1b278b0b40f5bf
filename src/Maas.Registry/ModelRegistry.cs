using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Registry.Changes;
using Maas.Registry.Consistency;
using Maas.Registry.Metadata;
using Maas.Registry.Metadata.Migrations;
using Maas.Registry.Push;
using Microsoft.Extensions.Logging;

namespace Maas.Registry;

/// <summary>The registry over a metadata database and an artifact store.</summary>
/// <remarks>
/// Ordering is what keeps the two stores consistent without a distributed transaction: blobs are published
/// before the version that references them commits, and deleted only after the commit that stops referencing
/// them. A crash in between leaves unreferenced blobs (removed by start-up recovery), never a version with a
/// missing file.
/// <para>This type holds initialization, the writes other than a push, and the change event; reads are
/// <see cref="RegistryReader"/>'s, a push is <see cref="PushPipeline"/>'s, and the change-feed and audit rows each
/// write adds are <see cref="RegistryJournal"/>'s.</para>
/// </remarks>
internal sealed class ModelRegistry : IModelRegistry, IDisposable
{
    private readonly IMetadataDatabase _database;
    private readonly MigrationRunner _migrations;
    private readonly IArtifactStore _store;
    private readonly ArtifactCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly RegistryPaths _paths;
    private readonly ArtifactGate _gate;
    private readonly TimeSpan _leaseDuration;
    private readonly ConsistencyChecker _consistency;
    private readonly RegistryReader _reader;
    private readonly RegistryJournal _journal;
    private readonly PushPipeline _push;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    public ModelRegistry(
        RegistryOptions options,
        RegistryPaths paths,
        IMetadataDatabase database,
        MigrationRunner migrations,
        IEnumerable<IArtifactStore> stores,
        ISignatureReader signatureReader,
        TimeProvider timeProvider,
        ILogger<ModelRegistry> logger,
        IArtifactCodec codec,
        ArtifactCacheFactory cacheFactory)
    {
        _paths = paths;
        _database = database;
        _migrations = migrations;
        var storeName = ArtifactStoreSelection.StoreName(options);
        _store = stores.LastOrDefault(s => string.Equals(s.Name, storeName, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"No artifact store named '{storeName}' is registered; known: {string.Join(", ", stores.Select(s => s.Name))}.");
        _time = timeProvider;
        _logger = logger;
        _leaseDuration = options.BlobLeaseDuration;
        _gate = new ArtifactGate(database, timeProvider, options.BlobLeaseDuration);
        _consistency = new ConsistencyChecker(database, _store, _gate);
        _cache = cacheFactory.Create(_store);
        _reader = new RegistryReader(database);
        _journal = new RegistryJournal(timeProvider, logger, Origin);
        _push = new PushPipeline(
            database, _store, _gate, _cache, new ManifestDetector(signatureReader), codec, _journal, timeProvider, logger, _reader.ResolveAsync);
    }

    public event EventHandler<ModelChangedEventArgs>? ModelChanged;

    /// <summary>The artifact store configuration selected.</summary>
    internal IArtifactStore Store => _store;

    /// <summary>Names this registry instance in the change feed, so its own changes (announced when they commit) are
    /// told apart from other replicas' (announced by <see cref="RegistryChangeFeed"/>).</summary>
    internal string Origin { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Applies migrations and recovers from an earlier crash; runs once, later calls return at once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            await _database.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await _migrations.ApplyAsync(cancellationToken).ConfigureAwait(false);

            // With a database of its own, nothing can be staging yet (every operation waits for initialization), so leftovers
            // in tmp are a dead process's. With a shared one another replica may be mid-upload: only staging untouched for a
            // lease duration goes, and the repair below deletes only blobs that nothing references and nobody leases.
            // Likewise every lease in a database of its own belongs to a dead process; in a shared one, only expired ones.
            await _gate.DeleteLeasesAsync(expiredOnly: _database.IsShared, cancellationToken).ConfigureAwait(false);
            if (_database.IsShared)
            {
                PostgresLog.StagingKept(_logger, _leaseDuration);
            }

            var report = await _consistency.CheckAsync(
                repair: true,
                clearStaging: !_database.IsShared,
                staleStagingBefore: _database.IsShared ? _time.GetUtcNow() - _leaseDuration : null,
                cancellationToken).ConfigureAwait(false);
            foreach (var missing in report.MissingBlobs)
            {
                RegistryLog.BlobMissing(_logger, missing.Model, missing.Version, missing.File, missing.Sha256);
            }

            RegistryLog.Recovered(_logger, report.DeletedTempFiles, report.DeletedBlobs);
            RegistryLog.Ready(_logger, _paths.DataDirectory, _database.Location, _store.Name, _store.Location);
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    /// <summary>Reports versions with missing blobs and blobs nothing references; with <paramref name="repair"/> deletes the latter.</summary>
    public async Task<ConsistencyReport> CheckConsistencyAsync(bool repair, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _consistency.CheckAsync(repair, clearStaging: false, staleStagingBefore: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelVersionInfo> PushAsync(PushRequest request, CancellationToken cancellationToken = default)
    {
        PushValidator.Validate(request);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var info = await _push.PushAsync(request, cancellationToken).ConfigureAwait(false);
        RaiseChanged(info.Model);
        return info;
    }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.ListModelsAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelDetails?> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValid(name))
        {
            return null;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, ModelVersionInfo>> ResolveDefaultsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.ResolveDefaultsAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAliasAsync(string name, string alias, int version, string actor, CancellationToken cancellationToken = default)
    {
        PushValidator.ValidateModelName(name);
        PushValidator.ValidateAlias(alias);
        PushValidator.ValidateActor(actor);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryReader.RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var row = await RegistryReader.RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
            var previous = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false);
            if (previous == version)
            {
                return;
            }

            await RegistryCommands.UpsertAliasAsync(session, model.Id, alias, row.Id, cancellationToken).ConfigureAwait(false);
            await _journal.RecordChangeAsync(session, RegistryChangeKinds.AliasSet, name, version, alias, cancellationToken).ConfigureAwait(false);
            var detail = previous is { } p ? $"{alias} -> {version} (was {p})" : $"{alias} -> {version}";
            await _journal.AuditAsync(session, actor, RegistryActions.AliasSet, name, version, detail, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        RaiseChanged(name);
    }

    public async Task RemoveAliasAsync(string name, string alias, string actor, CancellationToken cancellationToken = default)
    {
        PushValidator.ValidateModelName(name);
        PushValidator.ValidateActor(actor);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryReader.RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var target = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false)
                ?? throw MaasException.NotFound($"model '{name}' has no alias '{alias}'");
            await RegistryCommands.DeleteAliasAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false);
            await _journal.RecordChangeAsync(session, RegistryChangeKinds.AliasRemoved, name, target, alias, cancellationToken).ConfigureAwait(false);
            await _journal.AuditAsync(session, actor, RegistryActions.AliasRemove, name, target, $"{alias} (was {target})", cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        RaiseChanged(name);
    }

    public async Task UpdateModelAsync(
        string name,
        string? description,
        IReadOnlyDictionary<string, string>? tags,
        string actor,
        CancellationToken cancellationToken = default)
    {
        PushValidator.ValidateModelName(name);
        PushValidator.ValidateActor(actor);
        if (tags is not null)
        {
            PushValidator.ValidateTags(tags);
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryReader.RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            if (description is null && tags is null)
            {
                return;
            }

            var tagsJson = tags is null ? null : RegistryJson.SerializeMap(tags);
            await RegistryCommands.UpdateModelAsync(session, model.Id, description, tagsJson, cancellationToken).ConfigureAwait(false);
            await _journal.RecordChangeAsync(session, RegistryChangeKinds.ModelUpdated, name, null, null, cancellationToken).ConfigureAwait(false);
            var changed = string.Join(", ", new[] { description is null ? null : "description", tags is null ? null : "tags" }.OfType<string>());
            await _journal.AuditAsync(session, actor, RegistryActions.ModelUpdate, name, null, changed, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        RaiseChanged(name);
    }

    public async Task DeleteVersionAsync(string name, int version, bool force, string actor, CancellationToken cancellationToken = default)
    {
        PushValidator.ValidateModelName(name);
        PushValidator.ValidateActor(actor);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        List<string> digests;
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryReader.RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var row = await RegistryReader.RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
            var aliases = (await RegistryQueries.AliasesOfVersionAsync(session, row.Id, cancellationToken).ConfigureAwait(false))
                .Select(a => a.Alias)
                .ToList();
            if (aliases.Count > 0 && !force)
            {
                throw MaasException.Conflict(
                    $"model '{name}' version {version} is the target of alias {string.Join(", ", aliases.Select(a => $"'{a}'"))}; move or remove the alias first, or force the delete.");
            }

            digests = (await RegistryQueries.FilesAsync(session, model.Id, row.Id, cancellationToken).ConfigureAwait(false))
                .Select(f => f.File.Sha256)
                .ToList();
            await RegistryCommands.DeleteVersionAsync(session, row.Id, cancellationToken).ConfigureAwait(false);
            await _journal.RecordChangeAsync(session, RegistryChangeKinds.VersionDeleted, name, version, null, cancellationToken).ConfigureAwait(false);
            var detail = $"{digests.Count} file(s)" + (aliases.Count == 0 ? string.Empty : $"; forced, removed aliases {string.Join(", ", aliases)}");
            await _journal.AuditAsync(session, actor, RegistryActions.VersionDelete, name, version, detail, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        // After the commit: a crash here only leaves unreferenced blobs, which recovery removes.
        await CollectAsync(name, digests).ConfigureAwait(false);
        RaiseChanged(name);
    }

    public async Task<ModelDeployment> GetDeploymentAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValid(name))
        {
            throw MaasException.NotFound($"model '{name}' not found");
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.GetDeploymentAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelDeployment> SetDeploymentAsync(string name, DeploymentOverrides overrides, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        PushValidator.ValidateModelName(name);
        PushValidator.ValidateActor(actor);
        overrides.Validate();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        ModelDeployment stored;
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryReader.RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var previous = await RegistryReader.ReadDeploymentAsync(session, model, cancellationToken).ConfigureAwait(false);
            if (previous.Overrides == overrides && previous.UpdatedAt is not null)
            {
                return previous;
            }

            var now = _time.GetUtcNow();
            await RegistryCommands.UpsertDeploymentAsync(session, model.Id, RegistryJson.SerializeOverrides(overrides), now, actor, cancellationToken).ConfigureAwait(false);
            await _journal.RecordChangeAsync(session, RegistryChangeKinds.DeploymentChanged, name, null, null, cancellationToken).ConfigureAwait(false);
            var detail = $"{overrides.Describe()} (was {previous.Overrides.Describe()})";
            await _journal.AuditAsync(session, actor, RegistryActions.DeploymentSet, name, null, detail, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            stored = new ModelDeployment(model.Name, overrides, now, actor);
        }

        RaiseChanged(name);
        return stored;
    }

    public async Task<LineageGraph> GetLineageAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValid(name))
        {
            throw MaasException.NotFound($"model '{name}' not found");
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.GetLineageAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? model, int limit, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _reader.ReadAuditAsync(model, limit, cancellationToken).ConfigureAwait(false);
    }

    public Task<string> GetArtifactPathAsync(string sha256, CancellationToken cancellationToken = default) =>
        _cache.GetLocalPathAsync(Sha256Digest.Validate(sha256), cancellationToken);

    public void Dispose() => _initLock.Dispose();

    private async Task CollectAsync(string model, List<string> digests)
    {
        try
        {
            await _gate.CollectAsync(_store, digests, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            RegistryLog.CollectFailed(_logger, e, model);
        }
    }

    /// <summary>Announces a committed change (this process's, or another replica's read from the change feed).</summary>
    internal void RaiseChanged(string model)
    {
        try
        {
            ModelChanged?.Invoke(this, new ModelChangedEventArgs(model));
        }
        catch (Exception e)
        {
            // The change is committed; a failing listener must not make the caller believe it was not.
            RegistryLog.ChangeHandlerFailed(_logger, e, model);
        }
    }
}
