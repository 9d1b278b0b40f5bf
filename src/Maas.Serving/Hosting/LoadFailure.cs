using Maas.Core.Engines;

namespace Maas.Serving.Hosting;

/// <summary>The last failed load of a version: why, when, with which settings, and when it is tried again.</summary>
/// <param name="Reason">Why it failed, as users see it.</param>
/// <param name="At">When it failed.</param>
/// <param name="Settings">The settings it tried to load with.</param>
/// <param name="Attempts">Failed loads in a row; the backoff doubles with each.</param>
/// <param name="RetryAt">When it is tried again (sooner on a registry change).</param>
internal sealed record LoadFailure(string Reason, DateTimeOffset At, DeploymentSettings Settings, int Attempts, DateTimeOffset RetryAt);
