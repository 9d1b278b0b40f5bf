using System.Data.Common;
using System.Threading.Channels;
using Maas.Registry.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Registry.Changes;

/// <summary>Follows the registry changes other replicas commit and raises <see cref="Abstractions.IModelRegistry.ModelChanged"/>
/// for each, so the serving layer reconciles to them exactly as to a local change.</summary>
/// <remarks>
/// Polls <c>registry_changes</c> for ids above the last one seen (every <see cref="ChangeFeedOptions.ChangePollInterval"/>,
/// or at once when a <see cref="IChangeNotificationListener"/> wakes it), skips rows this process wrote (announced
/// when they committed), and announces each changed model once per poll. It starts at the newest row: what a replica
/// serves at start-up is read from the registry anyway. After failed polls it announces every model, since rows may
/// have been pruned meanwhile; reconciling a model that did not change does nothing.
/// </remarks>
internal sealed class RegistryChangeFeed : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly ModelRegistry _registry;
    private readonly IMetadataDatabase _database;
    private readonly IChangeNotificationListener? _listener;
    private readonly ChangeFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RegistryChangeFeed> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _polling = new(1, 1);
    private ChangeCursor? _cursor;
    private bool _failed;
    private DateTimeOffset _lastPrune;

    public RegistryChangeFeed(
        ModelRegistry registry,
        IMetadataDatabase database,
        IEnumerable<IChangeNotificationListener> listeners,
        IOptions<ChangeFeedOptions> options,
        TimeProvider timeProvider,
        ILogger<RegistryChangeFeed> logger,
        ILoggerFactory loggerFactory)
    {
        _registry = registry;
        _database = database;

        // PostgreSQL announces each committed change (NOTIFY in the writing transaction): listen, so polls happen at once.
        _listener = listeners.LastOrDefault()
            ?? (database is PostgresMetadataDatabase postgres
                ? new PostgresChangeListener(postgres.ConnectionString, timeProvider, loggerFactory.CreateLogger<PostgresChangeListener>())
                : null);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _lastPrune = timeProvider.GetUtcNow();
    }

    /// <summary>Asks for a poll now (a notification arrived).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Starts following from the newest change; idempotent.</summary>
    internal async Task StartFollowingAsync(CancellationToken cancellationToken)
    {
        if (_cursor is not null)
        {
            return;
        }

        await _registry.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            _cursor ??= new ChangeCursor(await ChangeSql.LastIdAsync(session, cancellationToken).ConfigureAwait(false), _options.ChangeGapTimeout);
        }
    }

    /// <summary>Reads the changes committed since the last poll and announces those of other processes; returns how many
    /// models were announced.</summary>
    internal async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        await StartFollowingAsync(cancellationToken).ConfigureAwait(false);
        await _polling.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var models = new List<string>();
            var session = await DbSession.OpenAsync(_database, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                if (_failed)
                {
                    // Rows may have been pruned while the feed was unreadable: re-read everything, then follow from the top.
                    _cursor = new ChangeCursor(await ChangeSql.LastIdAsync(session, cancellationToken).ConfigureAwait(false), _options.ChangeGapTimeout);
                    var all = await RegistryQueries.ListModelsAsync(session, cancellationToken).ConfigureAwait(false);
                    models.AddRange(all.Select(m => m.Name));
                    _failed = false;
                    ChangeFeedLog.Resynced(_logger, models.Count);
                }
                else
                {
                    List<RegistryChange> rows;
                    do
                    {
                        rows = await ChangeSql.AfterAsync(session, _cursor!.ReadFrom, BatchSize, cancellationToken).ConfigureAwait(false);
                        foreach (var change in _cursor.Accept(rows, _time.GetUtcNow()).Where(c => c.Origin != _registry.Origin))
                        {
                            ChangeFeedLog.RemoteChange(_logger, change.Id, change.Kind, change.Model);
                            if (!models.Contains(change.Model, StringComparer.Ordinal))
                            {
                                models.Add(change.Model);
                            }
                        }
                    }
                    while (rows.Count == BatchSize);
                }
            }

            foreach (var model in models)
            {
                _registry.RaiseChanged(model);
            }

            return models.Count;
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            _failed = true;
            throw;
        }
        finally
        {
            _polling.Release();
        }
    }

    /// <summary>Deletes change rows older than the retention; returns how many.</summary>
    internal async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var before = _time.GetUtcNow() - _options.ChangeRetention;
        var session = await DbSession.BeginWriteAsync(_database, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var count = await ChangeSql.PruneAsync(session, before, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            ChangeFeedLog.Pruned(_logger, count, before);
            return count;
        }
    }

    public override void Dispose()
    {
        _polling.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await StartFollowingAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        ChangeFeedLog.Started(_logger, _cursor!.Position, _options.ChangePollInterval, _listener is null ? "off" : "on");
        var listening = _listener is null
            ? Task.CompletedTask
            : Task.Run(() => _listener.ListenAsync(Wake, stoppingToken), CancellationToken.None);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForTurnAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await PollAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
                {
                    ChangeFeedLog.PollFailed(_logger, e);
                }

                await PruneIfDueAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Returns after the poll interval, or earlier when woken.</summary>
    private async Task WaitForTurnAsync(CancellationToken stoppingToken)
    {
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(_options.ChangePollInterval, _time, turn.Token);
        var woken = _wake.Reader.WaitToReadAsync(turn.Token).AsTask();
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        await turn.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(delay, woken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stoppingToken.ThrowIfCancellationRequested();
        _wake.Reader.TryRead(out _);
    }

    private async Task PruneIfDueAsync(CancellationToken stoppingToken)
    {
        if (_time.GetUtcNow() - _lastPrune < PruneEvery)
        {
            return;
        }

        _lastPrune = _time.GetUtcNow();
        try
        {
            await PruneAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
        {
            ChangeFeedLog.PruneFailed(_logger, e);
        }
    }
}
