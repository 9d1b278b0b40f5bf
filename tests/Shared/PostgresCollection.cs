namespace Maas.Tests.Shared;

/// <summary>Test classes in this collection share one <see cref="PostgresCluster"/> for the whole run.</summary>
/// <remarks>xunit runs a collection's classes one after another; give each class or test its own database.</remarks>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL cluster";
}
