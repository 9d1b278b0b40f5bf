using Amazon.S3.Model;
using Maas.Core.Errors;
using Maas.Registry;
using Maas.Registry.Artifacts;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>The artifact-store contract on the S3 store against a real S3-protocol server (s3rver), plus what only S3 has.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ArtifactStoreContractTests(S3rverFixture fixture) : ArtifactStoreContractTests
{
    private const string Prefix = "team/models";
    private const int MiB = 1024 * 1024;

    private string _bucket = "";

    private S3rverServer S3 => fixture.Server;

    [Fact]
    public async Task LocalPathOf_StoredBlob_NullSoTheCacheCopiesIt()
    {
        var digest = await CommitAsync(Bytes(64, seed: 1));

        Assert.Null(Store.LocalPathOf(digest));
    }

    [Fact]
    public async Task CommitAsync_Blob_ObjectUnderPrefixInTheFolderLayout()
    {
        var content = Bytes(1234, seed: 2);

        var digest = await CommitAsync(content);

        using var client = S3.CreateClient();
        using var response = await client.GetObjectAsync(_bucket, $"{Prefix}/sha256/{digest[..2]}/{digest}");
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        Assert.Equal(content, buffer.ToArray());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(DataDirectory, "s3-staging")));
    }

    [Fact]
    public async Task CommitAsync_LargeBlob_UploadedInParts()
    {
        var content = Bytes(LargeSize, seed: 3);

        var digest = await CommitAsync(content);

        var line = Assert.Single(Logs.Records, r => r.EventId == 6101);
        Assert.Contains("in 3 parts", line.Message, StringComparison.Ordinal);
        Assert.Contains(digest, line.Message, StringComparison.Ordinal);
        using var client = S3.CreateClient();
        var head = await client.GetObjectMetadataAsync(_bucket, $"{Prefix}/sha256/{digest[..2]}/{digest}");
        Assert.Equal(content.Length, head.Headers.ContentLength);
    }

    [Fact]
    public async Task ListAsync_ForeignKeysUnderAndBesideThePrefix_Ignored()
    {
        var digest = await CommitAsync(Bytes(10, seed: 4));
        var other = Sha256(Bytes(11, seed: 5));
        using var client = S3.CreateClient();
        foreach (var key in new[] { $"{Prefix}/readme.txt", $"{Prefix}/sha256/zz/not-a-digest", $"{Prefix}/sha256/00/{other}", $"elsewhere/sha256/{other[..2]}/{other}" })
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, ContentBody = "x", UseChunkEncoding = false });
        }

        var listed = await Store.ListAsync();

        Assert.Equal([digest], listed);
    }

    [Fact]
    public async Task ListAsync_TwoPrefixesInOneBucket_EachSeesOnlyItsOwn()
    {
        var mine = await CommitAsync(Bytes(10, seed: 6));
        await using var provider = BuildProvider(s3 => s3.Configure(_bucket, "another/prefix"));
        var neighbour = Resolve(provider);
        var staged = await neighbour.StageAsync(new MemoryStream(Bytes(10, seed: 7)));
        await neighbour.CommitAsync(staged);

        Assert.Equal([mine], await Store.ListAsync());
        Assert.Equal([staged.Sha256], await neighbour.ListAsync());
        Assert.False(await neighbour.ExistsAsync(mine));
    }

    [Fact]
    public async Task ClearStagingAsync_ServerWithoutUploadListing_StartsAndSaysSo()
    {
        var cleared = await Store.ClearStagingAsync();

        Assert.Equal(0, cleared);
        Assert.Contains(Logs.Records, r => r.EventId == 6104);
    }

    [Fact]
    public async Task FirstUse_Configured_LogsBucketAndEndpointButNoSecret()
    {
        await Store.ExistsAsync(Sha256([1]));

        var line = Assert.Single(Logs.Records, r => r.EventId == 6100);
        Assert.Contains(_bucket, line.Message, StringComparison.Ordinal);
        Assert.Contains(S3.ServiceUrl.ToString(), line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(S3rverServer.SecretKey, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_SettingsFromAwsEnvironmentVariables_Works()
    {
        var names = new[] { "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", S3.ServiceUrl.ToString());
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverServer.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverServer.SecretKey);
            Environment.SetEnvironmentVariable("AWS_REGION", "eu-west-1");
            await using var provider = BuildProvider(_ => o => o.Artifacts = $"s3://{_bucket}/from-env");
            var store = Resolve(provider);
            var content = Bytes(100, seed: 9);

            var staged = await store.StageAsync(new MemoryStream(content));
            Assert.True(await store.CommitAsync(staged));

            using var client = S3.CreateClient();
            var head = await client.GetObjectMetadataAsync(_bucket, $"from-env/sha256/{staged.Sha256[..2]}/{staged.Sha256}");
            Assert.Equal(content.Length, head.Headers.ContentLength);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public async Task ExistsAsync_NothingListeningAtTheEndpoint_UnavailableNamingTheStore()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var provider = BuildProvider(s3 => o =>
        {
            s3.Configure(_bucket, "nowhere")(o);
            o.S3.ServiceUrl = $"http://127.0.0.1:{port}";
        });

        var error = await Assert.ThrowsAsync<MaasException>(() => Resolve(provider).ExistsAsync(Sha256([1])));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.Contains($"s3://{_bucket}/nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitAsync_UnknownAccessKey_UnavailableWithTheServersReasonAndNoSecret()
    {
        // s3rver checks the access key id, not SigV4 signatures, so a wrong key id is what it can refuse.
        await using var provider = BuildProvider(s3 => o =>
        {
            s3.Configure(_bucket)(o);
            (o.S3.AccessKey, o.S3.SecretKey) = ("NOTAKEY", "not-the-secret");
        });
        var store = Resolve(provider);
        var staged = await store.StageAsync(new MemoryStream(Bytes(10, seed: 10)));

        var error = await Assert.ThrowsAsync<MaasException>(() => store.CommitAsync(staged));

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.Matches("InvalidAccessKeyId|Forbidden|403", error.Message);
        Assert.DoesNotContain("not-the-secret", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(DataDirectory, "second", "s3-staging")));
    }

    [Fact]
    public async Task ListAsync_BucketDoesNotExist_UnavailableNoSuchBucket()
    {
        await using var provider = BuildProvider(s3 => s3.Configure("maas-no-such-bucket"));

        var error = await Assert.ThrowsAsync<MaasException>(() => Resolve(provider).ListAsync());

        Assert.Equal(MaasErrorKind.Unavailable, error.Kind);
        Assert.Contains("NoSuchBucket", error.Message, StringComparison.Ordinal);
    }

    protected override async Task<(Action<RegistryOptions> Configure, ArtifactStoreProbe Probe)> SetUpAsync(string dataDirectory)
    {
        var bucket = await S3.CreateBucketAsync();

        // The first bucket is the suite's own store, which the S3-only tests here look into; later ones belong to the
        // extra stores a contract test builds (codecs).
        _bucket = _bucket.Length == 0 ? bucket : _bucket;
        var s3 = S3.Configure(bucket, Prefix);
        Action<RegistryOptions> configure = o =>
        {
            s3(o);
            o.S3.MultipartThreshold = 6 * MiB;
            o.S3.PartSize = 5 * MiB;
            o.S3.ListPageSize = 3;
        };
        return (configure, new S3StoreProbe(S3, bucket, Prefix, dataDirectory));
    }

    private ServiceProvider BuildProvider(Func<S3rverServer, Action<RegistryOptions>> configure)
    {
        var services = new ServiceCollection();
        var directory = Path.Combine(DataDirectory, "second");
        services.AddMaasRegistry(o =>
        {
            o.DataDirectory = directory;
            configure(S3)(o);
        });
        return services.BuildServiceProvider();
    }

    private static IArtifactStore Resolve(IServiceProvider provider) =>
        provider.GetServices<IArtifactStore>().Single(s => s.Name == ArtifactStoreSelection.StoreName(provider.GetRequiredService<RegistryOptions>()));
}
