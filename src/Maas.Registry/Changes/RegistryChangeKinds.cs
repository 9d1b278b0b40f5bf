namespace Maas.Registry.Changes;

/// <summary>What a row of the change feed says happened; the values are stored, so never renamed.</summary>
internal static class RegistryChangeKinds
{
    public const string VersionPushed = "version.pushed";
    public const string VersionDeleted = "version.deleted";
    public const string AliasSet = "alias.set";
    public const string AliasRemoved = "alias.removed";
    public const string DeploymentChanged = "deployment.changed";
    public const string ModelUpdated = "model.updated";
    public const string ModelDeleted = "model.deleted";
}
