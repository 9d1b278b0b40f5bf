using System.Globalization;
using Maas.Core.Errors;

namespace Maas.Core.Engines;

/// <summary>A model's stored deviations from the server's deployment defaults; a null field keeps the default.</summary>
/// <remarks>
/// Stored in the registry per model (configuration, not part of a version) and applied to
/// <c>Maas:Serving:Defaults</c> to give the effective <see cref="DeploymentSettings"/> of each loaded version.
/// </remarks>
public sealed record DeploymentOverrides
{
    /// <summary>Largest batch a model may ask for (rows, or sequences for a generator).</summary>
    public const int MaxBatchSizeLimit = 4096;

    /// <summary>Most instances or intra-op threads a model may ask for.</summary>
    public const int MaxParallelism = 1024;

    /// <summary>Longest queue a model may ask for.</summary>
    public const int MaxQueueLimit = 1_000_000;

    /// <summary>Longest batching window a model may ask for.</summary>
    public static readonly TimeSpan MaxQueueDelayLimit = TimeSpan.FromSeconds(60);

    /// <summary>Longest request deadline a model may ask for.</summary>
    public static readonly TimeSpan RequestTimeoutLimit = TimeSpan.FromHours(24);

    /// <summary>No overrides: the defaults apply unchanged.</summary>
    public static DeploymentOverrides None { get; } = new();

    public int? Instances { get; init; }

    public int? IntraOpThreads { get; init; }

    public int? MaxBatchSize { get; init; }

    public TimeSpan? MaxQueueDelay { get; init; }

    public int? MaxQueue { get; init; }

    public TimeSpan? RequestTimeout { get; init; }

    public bool? Preload { get; init; }

    public TimeSpan? KeepAlive { get; init; }

    /// <summary>True when no field is set.</summary>
    public bool IsEmpty => this == None;

    /// <summary>The effective settings: <paramref name="defaults"/> with every set field replaced.</summary>
    public DeploymentSettings ApplyTo(DeploymentSettings defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return defaults with
        {
            Instances = Instances ?? defaults.Instances,
            IntraOpThreads = IntraOpThreads ?? defaults.IntraOpThreads,
            MaxBatchSize = MaxBatchSize ?? defaults.MaxBatchSize,
            MaxQueueDelay = MaxQueueDelay ?? defaults.MaxQueueDelay,
            MaxQueue = MaxQueue ?? defaults.MaxQueue,
            RequestTimeout = RequestTimeout ?? defaults.RequestTimeout,
            Preload = Preload ?? defaults.Preload,
            KeepAlive = KeepAlive ?? defaults.KeepAlive,
        };
    }

    /// <summary>Reasons the set fields are out of range, named as the admin API names them; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        Range(problems, "instances", Instances, 0, MaxParallelism, " (0 = cores / threads)");
        Range(problems, "intra_op_threads", IntraOpThreads, 0, MaxParallelism, " (0 = adaptive)");
        Range(problems, "max_batch_size", MaxBatchSize, 1, MaxBatchSizeLimit, " (1 = batching off)");
        Range(problems, "max_queue", MaxQueue, 0, MaxQueueLimit, string.Empty);
        if (MaxQueueDelay is { } delay && (delay < TimeSpan.Zero || delay > MaxQueueDelayLimit))
        {
            problems.Add(Invariant($"max_queue_delay_ms must be between 0 and {MaxQueueDelayLimit.TotalMilliseconds} (got {delay.TotalMilliseconds})."));
        }

        if (RequestTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > RequestTimeoutLimit))
        {
            problems.Add(Invariant($"request_timeout_ms must be positive and at most {RequestTimeoutLimit.TotalMilliseconds} (got {timeout.TotalMilliseconds})."));
        }

        if (KeepAlive is { } keepAlive && keepAlive < TimeSpan.Zero)
        {
            problems.Add(Invariant($"keep_alive_ms cannot be negative (0 keeps the version loaded; got {keepAlive.TotalMilliseconds})."));
        }

        return problems;
    }

    /// <summary>Throws InvalidArgument (400) naming every out-of-range field.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw MaasException.InvalidArgument("Invalid deployment settings: " + string.Join(" ", problems));
        }
    }

    /// <summary>A short description of the set fields (audit details, logs), e.g. <c>max_batch_size=16, max_queue=32</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        Add(parts, "instances", Instances);
        Add(parts, "intra_op_threads", IntraOpThreads);
        Add(parts, "max_batch_size", MaxBatchSize);
        Add(parts, "max_queue_delay_ms", MaxQueueDelay?.TotalMilliseconds);
        Add(parts, "max_queue", MaxQueue);
        Add(parts, "request_timeout_ms", RequestTimeout?.TotalMilliseconds);
        Add(parts, "preload", Preload is { } p ? (p ? "true" : "false") : null);
        Add(parts, "keep_alive_ms", KeepAlive?.TotalMilliseconds);
        return parts.Count == 0 ? "defaults" : string.Join(", ", parts);
    }

    private static void Range(List<string> problems, string name, int? value, int min, int max, string hint)
    {
        if (value is { } v && (v < min || v > max))
        {
            problems.Add(Invariant($"{name} must be between {min} and {max}{hint} (got {v})."));
        }
    }

    private static void Add<T>(List<string> parts, string name, T? value)
    {
        if (value is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={value}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
