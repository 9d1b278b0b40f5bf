using Amazon.S3.Model;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Tests.Shared;

namespace Maas.UnitTests.Registry;

/// <summary>The registry with its artifacts in an S3 bucket (s3rver): push, resolve, load through the local cache, delete, recover.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3RegistryTests(S3rverFixture fixture)
{
    private const string Prefix = "registry";

    private S3rverServer S3 => fixture.Server;

    [Fact]
    public async Task PushAsync_TwoFiles_ObjectsInTheBucketNothingInTheDataFolder()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));

        var pushed = await host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("model.onnx", "weights"), RegistryTestHost.File("vocab.txt", "[CLS] [SEP]")],
            Alias = "production",
            Actor = "tester",
        });

        Assert.Equal(pushed.Files.Select(f => f.Sha256).Order(StringComparer.Ordinal), await ObjectDigestsAsync(bucket));
        Assert.Empty(await FolderStoreProbe.ForDataDirectory(host.DataDirectory).BlobsAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(host.DataDirectory, "s3-staging")));
        Assert.Equal(1, (await host.Registry.ResolveAsync(ModelReference.Parse("bert@production"))).Version);
    }

    [Fact]
    public async Task GetArtifactPathAsync_BlobInBucket_VerifiedCopyInTheCache()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));
        var version = await host.PushAsync("bert", "weights v1");
        var digest = version.Files[0].Sha256;

        var path = await host.Registry.GetArtifactPathAsync(digest);

        Assert.Equal(Path.Combine(host.DataDirectory, "cache", "sha256", digest[..2], digest), path);
        Assert.Equal("weights v1", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task GetArtifactPathAsync_EmptiedCacheAfterRestart_DownloadsAgain()
    {
        var bucket = await S3.CreateBucketAsync();
        var data = RegistryTestHost.NewDataDirectory();
        try
        {
            string digest;
            await using (var first = RegistryTestHost.OpenWith(data, S3.Configure(bucket, Prefix)))
            {
                digest = (await first.PushAsync("bert", "weights")).Files[0].Sha256;
                await first.Registry.GetArtifactPathAsync(digest);
            }

            RegistryTestHost.DeleteDirectory(Path.Combine(data, "cache"));
            await using var second = RegistryTestHost.OpenWith(data, S3.Configure(bucket, Prefix));

            var resolved = await second.Registry.ResolveAsync(ModelReference.Parse("bert"));
            var path = await second.Registry.GetArtifactPathAsync(resolved.Files[0].Sha256);

            Assert.Equal(digest, resolved.Files[0].Sha256);
            Assert.Equal("weights", await File.ReadAllTextAsync(path));
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
        }
    }

    [Fact]
    public async Task GetArtifactPathAsync_ObjectReplacedInBucket_RefusedByDigest()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));
        var digest = (await host.PushAsync("bert", "genuine weights")).Files[0].Sha256;
        using var client = S3.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = Key(digest), ContentBody = "tampered weights", UseChunkEncoding = false });

        // The push verified and cached the genuine bytes (signature detection reads them); a replica without that copy downloads.
        RegistryTestHost.DeleteDirectory(Path.Combine(host.DataDirectory, "cache"));
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => host.Registry.GetArtifactPathAsync(digest));

        Assert.Equal(digest, error.Sha256);
        Assert.False(File.Exists(Path.Combine(host.DataDirectory, "cache", "sha256", digest[..2], digest)));
    }

    [Fact]
    public async Task PushAsync_SameWeightsTwice_OneObject()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));

        var first = await host.PushAsync("bert", "same");
        var second = await host.PushAsync("bert", "same");

        Assert.Equal(first.Files[0].Sha256, second.Files[0].Sha256);
        Assert.Equal([first.Files[0].Sha256], await ObjectDigestsAsync(bucket));
    }

    [Fact]
    public async Task DeleteVersionAsync_LastReference_ObjectDeletedFromBucket()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));
        var shared = await host.PushAsync("bert", "v1 weights");
        await host.PushAsync("bert", "v1 weights");
        var other = await host.PushAsync("bert", "v3 weights");

        await host.Registry.DeleteVersionAsync("bert", 1, force: false, "alice");
        Assert.Equal(2, (await ObjectDigestsAsync(bucket)).Length);
        await host.Registry.DeleteVersionAsync("bert", 2, force: false, "alice");

        Assert.Equal([other.Files[0].Sha256], await ObjectDigestsAsync(bucket));
        RegistryTestHost.DeleteDirectory(Path.Combine(host.DataDirectory, "cache"));
        var gone = await Assert.ThrowsAsync<MaasException>(() => host.Registry.GetArtifactPathAsync(shared.Files[0].Sha256));
        Assert.Equal(MaasErrorKind.NotFound, gone.Kind);
        Assert.True((await host.Registry.CheckConsistencyAsync(repair: false)).IsConsistent);
    }

    [Fact]
    public async Task InitializeAsync_OrphanObjectAndLeftoverStaging_RemovedReferencedKept()
    {
        var bucket = await S3.CreateBucketAsync();
        var data = RegistryTestHost.NewDataDirectory();
        try
        {
            string kept;
            var orphan = new string('e', 64);
            await using (var first = RegistryTestHost.OpenWith(data, S3.Configure(bucket, Prefix)))
            {
                kept = (await first.PushAsync("bert", "kept")).Files[0].Sha256;

                // What a process killed after uploading (or mid-upload) leaves: an object no version names, a staged file.
                using var client = S3.CreateClient();
                await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = Key(orphan), ContentBody = "orphan", UseChunkEncoding = false });
                await File.WriteAllTextAsync(Path.Combine(data, "s3-staging", "dead.stage"), "half");
            }

            await using var second = RegistryTestHost.OpenWith(data, S3.Configure(bucket, Prefix));
            await second.Registry.InitializeAsync();

            Assert.Equal([kept], await ObjectDigestsAsync(bucket));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(data, "s3-staging")));
        }
        finally
        {
            RegistryTestHost.DeleteDirectory(data);
        }
    }

    [Fact]
    public async Task PushAsync_ContentFailsHalfWay_NoObjectNoVersion()
    {
        var bucket = await S3.CreateBucketAsync();
        await using var host = RegistryTestHost.CreateWith(S3.Configure(bucket, Prefix));
        await host.PushAsync("bert", "v1");

        await Assert.ThrowsAnyAsync<Exception>(() => host.Registry.PushAsync(new PushRequest
        {
            Model = "bert",
            Files = [RegistryTestHost.File("vocab.txt", "fine"), new PushFile("model.onnx", new FailingStream(200_000))],
            Actor = "tester",
        }));

        Assert.Single(await ObjectDigestsAsync(bucket));
        Assert.Single((await host.Registry.GetModelAsync("bert"))!.Versions);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(host.DataDirectory, "s3-staging")));
    }

    private static string Key(string digest) => $"{Prefix}/sha256/{digest[..2]}/{digest}";

    private async Task<string[]> ObjectDigestsAsync(string bucket)
    {
        using var client = S3.CreateClient();
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = Prefix + "/" });
        return [.. (listed.S3Objects ?? []).Select(o => o.Key[(o.Key.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal)];
    }
}
