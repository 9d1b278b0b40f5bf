namespace Maas.Registry;

/// <summary>The <c>action</c> values of audit records.</summary>
internal static class RegistryActions
{
    public const string Push = "push";
    public const string AliasSet = "alias.set";
    public const string AliasRemove = "alias.remove";
    public const string VersionDelete = "version.delete";
    public const string ModelUpdate = "model.update";
    public const string DeploymentSet = "deployment.set";
    public const string JobSubmit = "job.submit";
    public const string JobCancel = "job.cancel";
    public const string JobFinish = "job.finish";
}
