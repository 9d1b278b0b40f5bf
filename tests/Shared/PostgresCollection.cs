namespace Maas.Tests.Shared;

/// <summary>Test classes in this collection share one <see cref="PostgresCluster"/> for the whole run, and one s3rver
/// (started only when a class asks for it) for the PostgreSQL + S3 backend.</summary>
/// <remarks>xunit runs a collection's classes one after another; give each class or test its own database and bucket.</remarks>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>, ICollectionFixture<S3rverFixture>
{
    public const string Name = "PostgreSQL cluster";
}
