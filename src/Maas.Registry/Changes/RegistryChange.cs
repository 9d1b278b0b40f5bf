namespace Maas.Registry.Changes;

/// <summary>One committed registry change as the feed stores it: its id (generated, increasing), kind
/// (<see cref="RegistryChangeKinds"/>), model, version and alias where they apply, and the registry instance
/// (process) that wrote it, so that instance can skip its own.</summary>
internal sealed record RegistryChange(long Id, string Kind, string Model, int? Version, string? Alias, string Origin);
