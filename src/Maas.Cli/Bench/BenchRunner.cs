namespace Maas.Cli.Bench;

/// <summary>Runs a whole bench: resolves the model, prepares the bodies, warms up, then runs each level between two
/// scrapes of the server's metrics.</summary>
internal sealed class BenchRunner(BenchClient client, BenchSettings settings, TimeProvider time)
{
    public async Task<BenchReport> RunAsync(IBenchObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var (model, inputs) = await client.GetMetadataAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        var input = settings.InputPath is { } path
            ? BenchInput.FromFile(path)
            : BenchInput.Generate(inputs, settings.Batch, settings.Seed);
        using var grpc = settings.Protocol == BenchSettings.Grpc
            ? new GrpcSender(settings.GrpcAddress, settings.Model, input.Bodies.Select(WireRequest.Parse).ToList(), input.RowsPerRequest, settings.Timeout, settings.ApiKey)
            : null;
        var generator = new LoadGenerator(grpc is null ? RestSender(input) : grpc, time);

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

    /// <summary>The REST sender: the JSON bodies as they are, or turned into binary-extension bodies.</summary>
    private RestSender RestSender(BenchInput input)
    {
        var uri = client.InferUri(settings.Model);
        if (settings.Protocol == BenchSettings.RestJson)
        {
            return new RestSender(client, uri, input.Bodies, input.RowsPerRequest);
        }

        if (settings.Protocol != BenchSettings.RestBinary)
        {
            throw new CliException($"unknown protocol {settings.Protocol}; use rest-json, rest-binary or grpc.");
        }

        var binary = input.Bodies.Select(b => WireRequest.Parse(b).ToBinary()).ToList();
        return new RestSender(client, uri, binary.Select(b => b.Body).ToList(), input.RowsPerRequest, binary.Select(b => b.HeaderLength).ToList());
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
