using Maas.Core.Engines;

namespace Maas.Registry.Abstractions;

/// <summary>A model's stored deployment overrides, with who changed them last and when (null times when never set).</summary>
public sealed record ModelDeployment(string Model, DeploymentOverrides Overrides, DateTimeOffset? UpdatedAt, string? UpdatedBy);
