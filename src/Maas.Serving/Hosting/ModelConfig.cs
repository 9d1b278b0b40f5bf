using System.Collections.Immutable;
using Maas.Core.Engines;

namespace Maas.Serving.Hosting;

/// <summary>What the registry says about a model, as the host needs it: effective settings, the versions aliases or
/// the default route pin, and the versions that exist.</summary>
internal sealed record ModelConfig(DeploymentSettings Settings, ImmutableHashSet<int> Pinned, ImmutableHashSet<int> Versions);
