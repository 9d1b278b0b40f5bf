namespace Maas.Registry.Abstractions;

/// <summary>Helpers over <see cref="JobState"/>: which states are final, and the stored spelling.</summary>
public static class JobStates
{
    public static bool IsFinal(this JobState state) => state is not (JobState.Queued or JobState.Running);

    /// <summary>The lower-case name used in the database, the API and the CLI (<c>queued</c>, <c>running</c>, ...).</summary>
    public static string ToName(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Parses a stored or typed state name (case-insensitive); false when it names none.</summary>
    public static bool TryParse(string? name, out JobState state)
    {
        foreach (var candidate in Enum.GetValues<JobState>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
