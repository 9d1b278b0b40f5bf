namespace Maas.Cli.Bench;

/// <summary>What <c>maas bench</c> was asked to do, after the command line was parsed and checked.</summary>
internal sealed record BenchSettings
{
    public const string RestJson = "rest-json";

    public const string RestBinary = "rest-binary";

    public const string Grpc = "grpc";

    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);

    public required string Model { get; init; }

    public required Uri Server { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on REST and gRPC (<c>MAAS_API_KEY</c>); null sends none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The levels in the order they run: concurrencies, or rates.</summary>
    public required IReadOnlyList<BenchLevel> Levels { get; init; }

    /// <summary>How long each level runs; null when <see cref="Requests"/> bounds it instead.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Requests per level; null when <see cref="Duration"/> bounds it instead.</summary>
    public int? Requests { get; init; }

    /// <summary>Load before the first level whose results are thrown away (loads the model, warms caches).</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>rest-json, rest-binary (the v2 binary tensor extension) or grpc (raw contents).</summary>
    public string Protocol { get; init; } = RestJson;

    /// <summary>The gRPC endpoint for <see cref="Grpc"/>; null: <see cref="Server"/>'s host on port 8001.</summary>
    public Uri? GrpcServer { get; init; }

    /// <summary>The gRPC endpoint the bench uses.</summary>
    public Uri GrpcAddress => GrpcServer ?? new UriBuilder(Server) { Port = 8001, Path = "/" }.Uri;

    /// <summary>A v2 infer body to send; generated from the model's metadata when null.</summary>
    public string? InputPath { get; init; }

    /// <summary>Rows per generated request.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Seeds generated input and Poisson arrivals, so two runs send the same load.</summary>
    public int Seed { get; init; }

    /// <summary>A request without an answer after this long counts as a timeout error.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most connections the client opens: the highest concurrency, or plenty for open-loop rates.</summary>
    public int MaxConnections => Levels.Max(l => l.Concurrency ?? 1024);
}
