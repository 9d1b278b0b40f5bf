namespace Maas.Server.Security;

/// <summary>What a request does, for the role check (<see cref="CallerAccess"/>).</summary>
internal enum ModelAction
{
    /// <summary>Protocol metadata of a model (v2 metadata, readiness, statistics; /v1/models): every role.</summary>
    Read,

    /// <summary>Call a model: admin, publisher, inference.</summary>
    Infer,

    /// <summary>Admin-API reads (models, versions, lineage, deployments, jobs): admin, publisher, viewer.</summary>
    Inspect,

    /// <summary>Push, alias, deploy, load/unload, optimize, update: admin, publisher.</summary>
    Publish,

    /// <summary>Download a version's files (the weights): admin, publisher.</summary>
    Download,

    /// <summary>Delete a version: admin.</summary>
    Delete,

    /// <summary>Keys and the audit log: admin.</summary>
    Administer,

    /// <summary>Prometheus metrics: admin, viewer.</summary>
    Metrics,
}
