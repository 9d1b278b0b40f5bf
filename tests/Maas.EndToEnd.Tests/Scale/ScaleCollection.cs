using Maas.Tests.Shared;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>The multi-replica test classes run one after another (each starts three servers and nginx) and share one
/// private PostgreSQL cluster and one s3rver for the PostgreSQL + S3 backend.</summary>
[CollectionDefinition(Name)]
public sealed class ScaleCollection : ICollectionFixture<PostgresCluster>, ICollectionFixture<S3rverFixture>
{
    public const string Name = "Scale-out replicas";
}
