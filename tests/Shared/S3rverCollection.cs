namespace Maas.Tests.Shared;

/// <summary>One s3rver for the test classes in this collection; give each test its own bucket (<see cref="S3rverServer.CreateBucketAsync"/>).</summary>
[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
