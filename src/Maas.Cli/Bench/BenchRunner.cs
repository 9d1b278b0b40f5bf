namespace Maas.Cli.Bench;

/// <summary>Runs a whole bench: resolves the model, prepares the bodies, warms up, then runs each level between two
/// scrapes of the server's metrics.</summary>
internal sealed class BenchRunner(BenchClient client, BenchSettings settings, TimeProvider time)
{
    public async Task<BenchReport> RunAsync(IBenchObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (settings.Protocol != BenchSettings.RestJson)
        {
            throw new CliException($"protocol {settings.Protocol} is not supported yet; use --protocol {BenchSettings.RestJson}.");
        }

        var (model, inputs) = await client.GetMetadataAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        var input = settings.InputPath is { } path
            ? BenchInput.FromFile(path)
            : BenchInput.Generate(inputs, settings.Batch, settings.Seed);
        var generator = new LoadGenerator(client, client.InferUri(settings.Model), input, time);

        if (settings.Warmup > TimeSpan.Zero)
        {
            var warmup = new LevelRecorder();
            observer.Started("warm-up", warmup, settings.Warmup, null);
            await generator.RunAsync(settings.Levels[0], settings.Warmup, null, settings.Seed, warmup, cancellationToken).ConfigureAwait(false);
            observer.Finished("warm-up", null);
            if (warmup.Succeeded == 0 && warmup.Errors() is [var first, ..])
            {
                throw new CliException($"every warm-up request failed: {first.Kind}: {first.Sample}");
            }
        }

        var results = new List<LevelResult>();
        for (var i = 0; i < settings.Levels.Count; i++)
        {
            var level = settings.Levels[i];
            var recorder = new LevelRecorder();
            var before = await client.ScrapeAsync(cancellationToken).ConfigureAwait(false);
            observer.Started(level.Label, recorder, settings.Duration, settings.Requests);
            var elapsed = await generator.RunAsync(level, settings.Duration, settings.Requests, settings.Seed + i + 1, recorder, cancellationToken).ConfigureAwait(false);
            var after = await client.ScrapeAsync(cancellationToken).ConfigureAwait(false);
            var result = Summarize(level, recorder, elapsed, before is null || after is null ? null : ServerSplit.Between(before, after, model));
            observer.Finished(level.Label, result);
            results.Add(result);
        }

        return new BenchReport(
            model,
            settings.Server.OriginalString,
            settings.Protocol,
            input.Description,
            input.RowsPerRequest,
            settings.Duration?.TotalSeconds,
            settings.Requests,
            settings.Warmup.TotalSeconds,
            settings.Seed,
            results);
    }

    internal static LevelResult Summarize(BenchLevel level, LevelRecorder recorder, TimeSpan elapsed, ServerSplit? server)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var succeeded = recorder.Succeeded;
        return new LevelResult(
            level.Label,
            level.Concurrency,
            level.Rate,
            succeeded + recorder.Failed,
            succeeded,
            recorder.Failed,
            recorder.Rows,
            elapsed.TotalSeconds,
            succeeded / seconds,
            recorder.Rows / seconds,
            LatencySummary.From(recorder.Latencies()),
            recorder.Errors(),
            server,
            recorder.SendRate);
    }
}
