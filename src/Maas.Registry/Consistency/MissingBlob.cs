namespace Maas.Registry.Consistency;

/// <summary>A version's file whose blob is not in the artifact store.</summary>
internal sealed record MissingBlob(string Model, int Version, string File, string Sha256);
