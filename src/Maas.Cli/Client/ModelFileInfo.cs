namespace Maas.Cli.Client;

/// <summary>One stored file of a model version, as the admin API reports it.</summary>
internal sealed record ModelFileInfo(string Name, long Size, string Sha256);
