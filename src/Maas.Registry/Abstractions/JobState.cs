using System.Text.Json.Serialization;

namespace Maas.Registry.Abstractions;

/// <summary>Where a job is in its life: queued, running, then exactly one of the four final states.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled,

    /// <summary>The server stopped (or crashed) while the job was queued or running; nothing was registered.</summary>
    [JsonStringEnumMemberName("interrupted")]
    Interrupted,
}
