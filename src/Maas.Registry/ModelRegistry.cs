using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
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
/// </remarks>
internal sealed class ModelRegistry : IModelRegistry, IDisposable
{
    private const int MaxAuditLimit = 1000;

    private readonly IMetadataDatabase _database;
    private readonly MigrationRunner _migrations;
    private readonly IArtifactStore _store;
    private readonly IArtifactCodec _codec;
    private readonly ArtifactCache _cache;
    private readonly ManifestDetector _detector;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly RegistryPaths _paths;
    private readonly ArtifactGate _gate;
    private readonly TimeSpan _leaseDuration;
    private readonly ConsistencyChecker _consistency;
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
        _detector = new ManifestDetector(signatureReader);
        _time = timeProvider;
        _logger = logger;
        _leaseDuration = options.BlobLeaseDuration;
        _gate = new ArtifactGate(database, timeProvider, options.BlobLeaseDuration);
        _consistency = new ConsistencyChecker(database, _store, _gate);
        _codec = codec;
        _cache = cacheFactory.Create(_store);
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

        var holder = ArtifactGate.NewHolder();
        var pinned = new List<string>(request.Files.Count);
        var files = new List<ArtifactFile>(request.Files.Count);
        var newBlobs = 0;
        ModelVersionInfo info;
        try
        {
            foreach (var file in request.Files)
            {
                var staged = await _store.StageAsync(file.Content, cancellationToken).ConfigureAwait(false);
                try
                {
                    newBlobs += await _gate.LeaseAndCommitAsync(_store, staged, holder, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
                catch
                {
                    await _store.DiscardAsync(staged, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                pinned.Add(staged.Sha256);
                files.Add(new ArtifactFile(file.Name, staged.Size, staged.Sha256));
            }

            files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var localPaths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                localPaths[file.Sha256] = await _cache.GetLocalPathAsync(file.Sha256, cancellationToken).ConfigureAwait(false);
            }

            var manifest = _detector.Complete(request.Manifest, files, sha256 => localPaths[sha256]);
            if (AdapterPush.ReadAdapter(manifest, files, sha256 => localPaths[sha256]) is { } adapter)
            {
                (manifest, files, request) = await CompleteAdapterAsync(request, manifest, files, adapter, cancellationToken).ConfigureAwait(false);
            }

            info = await CommitPushAsync(request, manifest, files, holder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var deleted = await ReleaseAsync(request.Model, holder, pinned).ConfigureAwait(false);
            switch (e)
            {
                case MaasException { Kind: not MaasErrorKind.Internal } refused:
                    RegistryLog.PushRefused(_logger, request.Model, refused.Message, deleted);
                    break;
                case OperationCanceledException when cancellationToken.IsCancellationRequested:
                    RegistryLog.PushCancelled(_logger, request.Model, deleted);
                    break;
                default:
                    RegistryLog.PushRolledBack(_logger, e, request.Model, deleted);
                    break;
            }

            throw;
        }

        RegistryLog.Pushed(_logger, info.Model, info.Version, files.Count, newBlobs, request.Actor);
        RaiseChanged(info.Model);
        return info;
    }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var models = await RegistryQueries.ListModelsAsync(session, cancellationToken).ConfigureAwait(false);
            var stats = await RegistryQueries.VersionStatsAsync(session, cancellationToken).ConfigureAwait(false);
            var aliases = (await RegistryQueries.AliasesAsync(session, null, cancellationToken).ConfigureAwait(false)).ToLookup(a => a.ModelId);
            return models
                .Select(m => RegistryMapper.ToSummary(m, stats.TryGetValue(m.Id, out var s) ? s : null, aliases[m.Id]))
                .ToList();
        }
    }

    public async Task<ModelDetails?> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValid(name))
        {
            return null;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryQueries.FindModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return null;
            }

            var versions = await RegistryQueries.VersionsAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
            var files = (await RegistryQueries.FilesAsync(session, model.Id, null, cancellationToken).ConfigureAwait(false)).ToLookup(f => f.VersionId);
            var parents = (await RegistryQueries.ParentsAsync(session, model.Id, null, cancellationToken).ConfigureAwait(false)).ToLookup(p => p.VersionId);
            var aliases = await RegistryQueries.AliasesAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
            (int, int)? stats = versions.Count == 0 ? null : (versions.Count, versions[0].Number);
            return new ModelDetails(
                RegistryMapper.ToSummary(model, stats, aliases),
                versions.Select(v => RegistryMapper.ToVersionInfo(model.Name, v, files[v.Id].Select(f => f.File), parents[v.Id])).ToList());
        }
    }

    public async Task<ModelVersionInfo> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, reference.Name, cancellationToken).ConfigureAwait(false);
            VersionRow? row;
            if (reference.Version is { } version)
            {
                row = await RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
            }
            else if (reference.Alias is { } alias)
            {
                var target = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false)
                    ?? throw MaasException.NotFound($"model '{model.Name}' has no alias '{alias}'");
                row = await RequireVersionAsync(session, model, target, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var production = await RegistryQueries.AliasTargetAsync(session, model.Id, ModelReference.DefaultAlias, cancellationToken).ConfigureAwait(false);
                row = production is { } p
                    ? await RegistryQueries.FindVersionAsync(session, model.Id, p, cancellationToken).ConfigureAwait(false)
                    : await RegistryQueries.LatestVersionAsync(session, model.Id, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    throw MaasException.NotFound($"model '{model.Name}' has no versions");
                }
            }

            var files = await RegistryQueries.FilesAsync(session, model.Id, row.Id, cancellationToken).ConfigureAwait(false);
            var parents = await RegistryQueries.ParentsAsync(session, model.Id, row.Id, cancellationToken).ConfigureAwait(false);
            return RegistryMapper.ToVersionInfo(model.Name, row, files.Select(f => f.File), parents);
        }
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
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var row = await RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
            var previous = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false);
            if (previous == version)
            {
                return;
            }

            await RegistryCommands.UpsertAliasAsync(session, model.Id, alias, row.Id, cancellationToken).ConfigureAwait(false);
            await RecordChangeAsync(session, RegistryChangeKinds.AliasSet, name, version, alias, cancellationToken).ConfigureAwait(false);
            var detail = previous is { } p ? $"{alias} -> {version} (was {p})" : $"{alias} -> {version}";
            await AuditAsync(session, actor, RegistryActions.AliasSet, name, version, detail, cancellationToken).ConfigureAwait(false);
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
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var target = await RegistryQueries.AliasTargetAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false)
                ?? throw MaasException.NotFound($"model '{name}' has no alias '{alias}'");
            await RegistryCommands.DeleteAliasAsync(session, model.Id, alias, cancellationToken).ConfigureAwait(false);
            await RecordChangeAsync(session, RegistryChangeKinds.AliasRemoved, name, target, alias, cancellationToken).ConfigureAwait(false);
            await AuditAsync(session, actor, RegistryActions.AliasRemove, name, target, $"{alias} (was {target})", cancellationToken).ConfigureAwait(false);
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
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            if (description is null && tags is null)
            {
                return;
            }

            var tagsJson = tags is null ? null : RegistryJson.SerializeMap(tags);
            await RegistryCommands.UpdateModelAsync(session, model.Id, description, tagsJson, cancellationToken).ConfigureAwait(false);
            await RecordChangeAsync(session, RegistryChangeKinds.ModelUpdated, name, null, null, cancellationToken).ConfigureAwait(false);
            var changed = string.Join(", ", new[] { description is null ? null : "description", tags is null ? null : "tags" }.OfType<string>());
            await AuditAsync(session, actor, RegistryActions.ModelUpdate, name, null, changed, cancellationToken).ConfigureAwait(false);
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
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var row = await RequireVersionAsync(session, model, version, cancellationToken).ConfigureAwait(false);
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
            await RecordChangeAsync(session, RegistryChangeKinds.VersionDeleted, name, version, null, cancellationToken).ConfigureAwait(false);
            var detail = $"{digests.Count} file(s)" + (aliases.Count == 0 ? string.Empty : $"; forced, removed aliases {string.Join(", ", aliases)}");
            await AuditAsync(session, actor, RegistryActions.VersionDelete, name, version, detail, cancellationToken).ConfigureAwait(false);
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
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            return await ReadDeploymentAsync(session, model, cancellationToken).ConfigureAwait(false);
        }
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
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var previous = await ReadDeploymentAsync(session, model, cancellationToken).ConfigureAwait(false);
            if (previous.Overrides == overrides && previous.UpdatedAt is not null)
            {
                return previous;
            }

            var now = _time.GetUtcNow();
            await RegistryCommands.UpsertDeploymentAsync(session, model.Id, RegistryJson.SerializeOverrides(overrides), now, actor, cancellationToken).ConfigureAwait(false);
            await RecordChangeAsync(session, RegistryChangeKinds.DeploymentChanged, name, null, null, cancellationToken).ConfigureAwait(false);
            var detail = $"{overrides.Describe()} (was {previous.Overrides.Describe()})";
            await AuditAsync(session, actor, RegistryActions.DeploymentSet, name, null, detail, cancellationToken).ConfigureAwait(false);
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
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            return await LineageReader.ReadAsync(session, model, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? model, int limit, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await RegistryQueries.AuditAsync(session, model, Math.Clamp(limit, 1, MaxAuditLimit), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<string> GetArtifactPathAsync(string sha256, CancellationToken cancellationToken = default) =>
        _cache.GetLocalPathAsync(Sha256Digest.Validate(sha256), cancellationToken);

    public void Dispose() => _initLock.Dispose();

    /// <summary>An adapter push: its base resolved and checked, the base's file added, the base recorded in the lineage.</summary>
    private async Task<(ModelManifest, List<ArtifactFile>, PushRequest)> CompleteAdapterAsync(
        PushRequest request, ModelManifest manifest, List<ArtifactFile> files, GgufFile adapter, CancellationToken cancellationToken)
    {
        var reference = AdapterPush.BaseReference(request);
        ModelVersionInfo baseVersion;
        try
        {
            baseVersion = await ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (MaasException e) when (e.Kind == MaasErrorKind.NotFound)
        {
            throw MaasException.InvalidArgument($"The adapter's base {reference.Name} cannot be found: {e.Message}.");
        }

        AdapterPush.RequireGgufBase(baseVersion);
        var baseFile = baseVersion.Files.FirstOrDefault(f => string.Equals(f.Name, baseVersion.Manifest.ModelFile, StringComparison.Ordinal))
            ?? throw MaasException.InvalidArgument($"Base {baseVersion.Key} has no model file.");
        var baseHeader = GgufReader.Read(await _cache.GetLocalPathAsync(baseFile.Sha256, cancellationToken).ConfigureAwait(false));
        var (completed, all, lineage) = AdapterPush.Complete(request, manifest, files, adapter, baseVersion, baseHeader);
        return (completed, all, request with { Lineage = lineage });
    }

    private async Task<ModelVersionInfo> CommitPushAsync(
        PushRequest request,
        ModelManifest manifest,
        List<ArtifactFile> files,
        string leaseHolder,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var tagsJson = request.Tags is null ? null : RegistryJson.SerializeMap(request.Tags);
        int number;
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var model = await RegistryQueries.FindModelAsync(session, request.Model, cancellationToken).ConfigureAwait(false);
            long modelId;
            if (model is null)
            {
                modelId = await RegistryCommands.InsertModelAsync(session, request.Model, request.Description, tagsJson ?? "{}", now, cancellationToken)
                    .ConfigureAwait(false);
            }
            else
            {
                modelId = model.Id;
                if (request.Description is not null || tagsJson is not null)
                {
                    await RegistryCommands.UpdateModelAsync(session, modelId, request.Description, tagsJson, cancellationToken).ConfigureAwait(false);
                }
            }

            // Safe only because the write transaction already holds the lock (see ISqlDialect.BeginWriteTransactionAsync).
            number = await RegistryCommands.NextVersionNumberAsync(session, modelId, cancellationToken).ConfigureAwait(false);
            await RequireParentsAsync(session, request.Lineage, cancellationToken).ConfigureAwait(false);
            var versionId = await RegistryCommands.InsertVersionAsync(
                session, modelId, number, RegistryJson.SerializeManifest(manifest), now, request.Actor, request.Lineage,
                RegistryJson.SerializeReport(request.Report), cancellationToken).ConfigureAwait(false);
            foreach (var file in files)
            {
                await RegistryCommands.InsertFileAsync(session, versionId, file, cancellationToken).ConfigureAwait(false);
            }

            await BlobKeys.RecordAsync(session, files.Select(f => f.Sha256), _codec.KeyId, now, cancellationToken).ConfigureAwait(false);

            if (request.Alias is not null)
            {
                await RegistryCommands.UpsertAliasAsync(session, modelId, request.Alias, versionId, cancellationToken).ConfigureAwait(false);
            }

            // The version's file rows take over from the push's leases in the same commit: no moment without either.
            await BlobLeaseSql.ReleaseAsync(session, leaseHolder, cancellationToken).ConfigureAwait(false);

            await RecordChangeAsync(session, RegistryChangeKinds.VersionPushed, request.Model, number, request.Alias, cancellationToken).ConfigureAwait(false);
            var detail = $"{files.Count} file(s), task {manifest.Task}" + (request.Alias is null ? string.Empty : $", alias {request.Alias}")
                + (request.Lineage is { } l ? $", from {string.Join(", ", l.Parents.Select(p => $"{p.Model}:{p.Version}"))} by {l.Transform}" : string.Empty);
            await AuditAsync(session, request.Actor, RegistryActions.Push, request.Model, number, detail, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ModelVersionInfo(request.Model, number, manifest, files, request.Lineage, now, request.Actor) { Report = request.Report };
    }

    /// <summary>Every lineage parent must be a stored version (checked inside the push's transaction, so it cannot be
    /// deleted between the check and the commit).</summary>
    private static async Task RequireParentsAsync(DbSession session, Lineage? lineage, CancellationToken cancellationToken)
    {
        foreach (var parent in lineage?.Parents ?? [])
        {
            var model = await RegistryQueries.FindModelAsync(session, parent.Model, cancellationToken).ConfigureAwait(false);
            if (model is null || await RegistryQueries.FindVersionAsync(session, model.Id, parent.Version, cancellationToken).ConfigureAwait(false) is null)
            {
                throw MaasException.InvalidArgument($"Lineage parent {parent.Model}:{parent.Version} does not exist.");
            }
        }
    }

    private async Task AuditAsync(
        DbSession session, string actor, string action, string model, int? version, string? detail, CancellationToken cancellationToken)
    {
        await RegistryCommands.InsertAuditAsync(session, _time.GetUtcNow(), actor, action, model, version, detail, cancellationToken).ConfigureAwait(false);
        RegistryLog.Changed(_logger, actor, action, version is { } v ? $"{model}:{v}" : model, string.IsNullOrEmpty(detail) ? "-" : detail);
    }

    private Task RecordChangeAsync(DbSession session, string kind, string model, int? version, string? alias, CancellationToken cancellationToken) =>
        ChangeSql.InsertAsync(session, kind, model, version, alias, Origin, _time.GetUtcNow(), cancellationToken);

    private static async Task<ModelDeployment> ReadDeploymentAsync(DbSession session, ModelRow model, CancellationToken cancellationToken) =>
        await RegistryQueries.DeploymentAsync(session, model.Id, cancellationToken).ConfigureAwait(false) is { } row
            ? new ModelDeployment(model.Name, RegistryJson.DeserializeOverrides(row.Json), row.At, row.By)
            : new ModelDeployment(model.Name, DeploymentOverrides.None, null, null);

    private static async Task<ModelRow> RequireModelAsync(DbSession session, string name, CancellationToken cancellationToken) =>
        await RegistryQueries.FindModelAsync(session, name, cancellationToken).ConfigureAwait(false)
        ?? throw MaasException.NotFound($"model '{name}' not found");

    private static async Task<VersionRow> RequireVersionAsync(DbSession session, ModelRow model, int version, CancellationToken cancellationToken) =>
        await RegistryQueries.FindVersionAsync(session, model.Id, version, cancellationToken).ConfigureAwait(false)
        ?? throw MaasException.NotFound($"model '{model.Name}' has no version {version}");

    /// <summary>Cleanup after the outcome is decided; it must not replace the caller's result or exception, so it only logs.</summary>
    private async Task<int> ReleaseAsync(string model, string holder, List<string> digests)
    {
        try
        {
            return await _gate.ReleaseAsync(_store, holder, digests, collect: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            RegistryLog.CollectFailed(_logger, e, model);
            return 0;
        }
    }

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
