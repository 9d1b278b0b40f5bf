using Maas.Registry;
using Maas.Registry.Artifacts;
using Maas.Registry.Artifacts.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary><c>Maas:Registry:Artifacts</c> and <c>Maas:Registry:ArtifactStore</c> read as one choice, refused at start-up when they disagree.</summary>
public sealed class ArtifactStoreSelectionTests
{
    [Theory]
    [InlineData(null, null, "folder")]
    [InlineData("folder", null, "folder")]
    [InlineData("/srv/blobs", null, "folder")]
    [InlineData("s3://models", null, "s3")]
    [InlineData("S3://models/team/a", "s3", "s3")]
    [InlineData(null, "folder", "folder")]
    public void StoreName_Settings_PicksTheImpliedStore(string? artifacts, string? store, string expected)
    {
        var options = new RegistryOptions { Artifacts = artifacts, ArtifactStore = store };

        Assert.Equal(expected, ArtifactStoreSelection.StoreName(options));
        Assert.Empty(ArtifactStoreSelection.Validate(options));
    }

    [Theory]
    [InlineData("s3://models", "folder", "disagrees")]
    [InlineData(null, "s3", "needs Maas:Registry:Artifacts = s3://")]
    [InlineData("/srv/blobs", "s3", "needs Maas:Registry:Artifacts = s3://")]
    [InlineData("s3://", null, "not a valid bucket name")]
    [InlineData("s3://My_Bucket", null, "not a valid bucket name")]
    [InlineData("s3://models/../x", null, "unusable segment")]
    [InlineData("gs://models", null, "unsupported scheme")]
    [InlineData(null, " ", "must name an artifact store")]
    public void AddMaasRegistry_ConflictingOrMalformedArtifactSettings_FailsAtStartWithTheReason(string? artifacts, string? store, string reason)
    {
        using var provider = new ServiceCollection()
            .AddMaasRegistry(o => (o.DataDirectory, o.Artifacts, o.ArtifactStore) = (RegistryTestHost.NewDataDirectory(), artifacts, store))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistryOptions>>().Value);

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccessKey", "set together")]
    [InlineData("PartSize", "PartSize must be between 5 MiB")]
    [InlineData("ServiceUrl", "absolute http:// or https:// URL")]
    [InlineData("UploadConcurrency", "UploadConcurrency")]
    [InlineData("ListPageSize", "ListPageSize")]
    public void Validate_BadS3Setting_NamesIt(string setting, string reason)
    {
        var options = new RegistryOptions { Artifacts = "s3://models" };
        switch (setting)
        {
            case "AccessKey": options.S3.AccessKey = "id-only"; break;
            case "PartSize": options.S3.PartSize = 1024; break;
            case "ServiceUrl": options.S3.ServiceUrl = "minio:9000"; break;
            case "UploadConcurrency": options.S3.UploadConcurrency = 0; break;
            case "ListPageSize": options.S3.ListPageSize = 5000; break;
        }

        var failure = Assert.Single(ArtifactStoreSelection.Validate(options));

        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadS3SettingWithFolderStore_Ignored()
    {
        var options = new RegistryOptions { S3 = { PartSize = 1 } };

        Assert.Empty(ArtifactStoreSelection.Validate(options));
    }

    [Theory]
    [InlineData("s3://models", "models", "")]
    [InlineData("s3://models/", "models", "")]
    [InlineData("s3://my.models-01/team/a/", "my.models-01", "team/a/")]
    public void TryParse_S3Url_BucketAndPrefix(string url, string bucket, string prefix)
    {
        Assert.True(S3Location.TryParse(url, out var location, out var error), error);

        Assert.Equal(new S3Location(bucket, prefix), location);
    }

    [Fact]
    public async Task PushAsync_ArtifactsIsARelativeFolder_BlobsLandThereNotInTheDefaultPlace()
    {
        await using var host = RegistryTestHost.CreateWith(o => o.Artifacts = "shared-blobs");

        var pushed = await host.PushAsync("bert", "weights");

        var digest = pushed.Files[0].Sha256;
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "shared-blobs", "sha256", digest[..2], digest)));
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "artifacts", "sha256")));
    }
}
