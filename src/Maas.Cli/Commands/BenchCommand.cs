using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Maas.Cli.Bench;

namespace Maas.Cli.Commands;

/// <summary><c>maas bench MODEL</c>: load against a running server, in the spirit of Triton's perf_analyzer and vLLM's
/// benchmark script: a concurrency sweep (closed loop) or fixed Poisson request rates (open loop).</summary>
internal static class BenchCommand
{
    private static readonly string[] Protocols = [BenchSettings.RestJson, BenchSettings.RestBinary, BenchSettings.Grpc];

    /// <param name="context">Consoles and environment.</param>
    /// <param name="run">What runs the parsed settings (tests capture them); the real bench by default.</param>
    public static Command Create(CliContext context, Func<BenchSettings, bool, CancellationToken, Task<int>>? run = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        run ??= (settings, json, cancellationToken) => RunAsync(context, settings, json, cancellationToken);

        var model = new Argument<string>("model") { Description = "Model to load: NAME, NAME@ALIAS or NAME:VERSION" };
        var concurrency = new Option<int[]?>("--concurrency")
        {
            Description = "Closed loop: clients sending back to back, one level per value [default: 1]",
            HelpName = "N,N,...",
            CustomParser = result => ParseList<int>(result, "--concurrency", NumberList.TryParseIntegers, "a list of positive integers such as 1,2,4,8"),
        };
        var rate = new Option<double[]?>("--rate")
        {
            Description = "Open loop: Poisson arrivals at R requests per second, one level per value",
            HelpName = "R,R,...",
            CustomParser = result => ParseList<double>(result, "--rate", NumberList.TryParseRates, "a list of positive rates such as 50 or 50,100"),
        };
        var duration = new Option<TimeSpan?>("--duration")
        {
            Description = $"How long each level runs (10s, 500ms, 2m) [default: {BenchDuration.Format(BenchSettings.DefaultDuration)} unless --requests]",
            HelpName = "TIME",
            CustomParser = result => ParseDuration(result, "--duration", allowZero: false),
        };
        var requests = new Option<int?>("--requests") { Description = "Requests per level, instead of a duration", HelpName = "N" };
        var warmup = new Option<TimeSpan>("--warmup")
        {
            Description = "Load before the first level, not counted (0s for none)",
            HelpName = "TIME",
            CustomParser = result => ParseDuration(result, "--warmup", allowZero: true) ?? TimeSpan.Zero,
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
        };
        var protocol = new Option<string>("--protocol")
        {
            Description = "Wire protocol: rest-json, rest-binary (v2 binary tensor extension) or grpc (raw contents)",
            DefaultValueFactory = _ => BenchSettings.RestJson,
        };
        protocol.AcceptOnlyFromAmong(Protocols);
        var grpcServer = new Option<Uri?>("--grpc-server")
        {
            Description = "gRPC endpoint for --protocol grpc [default: the --server host, port 8001]",
            HelpName = "URL",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }

                result.AddError($"--grpc-server: '{text}' is not an http:// or https:// URL.");
                return null;
            },
        };
        var input = new Option<string?>("--input") { Description = "A /v2 infer request body to send (or JSON Lines: one body per line, sent in turn); generated from the model's metadata when omitted", HelpName = "FILE.json" };
        var batch = new Option<int>("--batch") { Description = "Rows per generated request", HelpName = "N", DefaultValueFactory = _ => 1 };
        IntRange.Require(batch, 1, 65_536);
        var seed = new Option<int>("--seed") { Description = "Seed of generated input and Poisson arrivals", DefaultValueFactory = _ => 0 };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "A request without an answer after this long is a timeout error",
            HelpName = "TIME",
            CustomParser = result => ParseDuration(result, "--timeout", allowZero: false) ?? TimeSpan.FromSeconds(30),
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (progress goes to stderr)" };
        var server = ServerOption.Create(context);

        var command = new Command("bench", "Measure a model's throughput and latency on a running server")
        {
            model, concurrency, rate, duration, requests, warmup, protocol, grpcServer, input, batch, seed, timeout, json, server,
        };
        command.Validators.Add(result =>
        {
            if (Given(result, concurrency) && Given(result, rate))
            {
                result.AddError("give either --concurrency (closed loop) or --rate (open loop), not both.");
            }

            if (Given(result, duration) && Given(result, requests))
            {
                result.AddError("give either --duration or --requests, not both.");
            }
        });
        requests.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out var n) && n < 1)
            {
                result.AddError("--requests must be 1 or more.");
            }
        });

        command.SetAction((parseResult, cancellationToken) =>
        {
            var rates = parseResult.GetValue(rate);
            var levels = rates is { Length: > 0 }
                ? rates.Select(r => new BenchLevel(null, r)).ToList()
                : (parseResult.GetValue(concurrency) is { Length: > 0 } clients ? clients : [1]).Select(c => new BenchLevel(c, null)).ToList();
            var count = parseResult.GetValue(requests);
            var settings = new BenchSettings
            {
                Model = parseResult.GetValue(model)!,
                Server = parseResult.GetValue(server)!,
                Levels = levels,
                Requests = count,
                Duration = count is null ? parseResult.GetValue(duration) ?? BenchSettings.DefaultDuration : null,
                Warmup = parseResult.GetValue(warmup),
                Protocol = parseResult.GetValue(protocol)!,
                GrpcServer = parseResult.GetValue(grpcServer),
                InputPath = parseResult.GetValue(input),
                Batch = parseResult.GetValue(batch),
                Seed = parseResult.GetValue(seed),
                Timeout = parseResult.GetValue(timeout),
                ApiKey = ApiAction.ApiKey(context),
            };
            return run(settings, parseResult.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static Task<int> RunAsync(CliContext context, BenchSettings settings, bool json, CancellationToken cancellationToken) =>
        ApiAction.RunAsync(context, settings.Server, async _ =>
        {
            using var client = BenchClient.Create(settings.Server, settings.MaxConnections, settings.Timeout, settings.ApiKey);
            var runner = new BenchRunner(client, settings, TimeProvider.System);

            // Progress on stderr, so stdout holds only the report (a table, or JSON for machines).
            var report = await LiveProgress.RunAsync(context.Error, observer => runner.RunAsync(observer, cancellationToken)).ConfigureAwait(false);
            if (json)
            {
                var writer = context.Out.Profile.Out.Writer;
                await writer.WriteLineAsync(JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport)).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                BenchView.Write(context.Out, report);
            }

            if (report.Levels.FirstOrDefault(l => l.Succeeded == 0) is { } failed)
            {
                throw new CliException($"no request succeeded at {failed.Level}.");
            }
        });

    private static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private delegate bool ListParser<T>(string text, out T[] values);

    // Null after AddError: System.CommandLine reports the error and never runs the action.
    private static T[]? ParseList<T>(ArgumentResult result, string name, ListParser<T> parse, string expected)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (parse(text, out var values))
        {
            return values;
        }

        result.AddError($"{name}: '{text}' is not {expected}.");
        return null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result, string name, bool allowZero)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (BenchDuration.TryParse(text, out var value) && (allowZero || value > TimeSpan.Zero))
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not a duration such as 10s, 500ms or 2m{(allowZero ? string.Empty : " (more than zero)")}.");
        return null;
    }
}
