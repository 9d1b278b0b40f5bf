namespace Maas.Registry.Abstractions;

/// <summary>A running job whose lease its owner just renewed, and who asked to cancel it (from any replica), if anyone.</summary>
public sealed record JobLeaseRenewal(string JobId, string? CancelRequestedBy);
