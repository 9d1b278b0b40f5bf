namespace Maas.Tests.Shared;

/// <summary>Starts an <see cref="S3rverServer"/> when the first test of its collection needs it and stops it after the last one.</summary>
public sealed class S3rverFixture : IDisposable
{
    private readonly Lazy<S3rverServer> _server = new(S3rverServer.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The running server; throws (with the install command) when s3rver is not installed.</summary>
    public S3rverServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}
