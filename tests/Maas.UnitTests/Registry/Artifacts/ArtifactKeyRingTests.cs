using Maas.Registry;
using Maas.Registry.Artifacts.Encryption;

namespace Maas.UnitTests.Registry.Artifacts;

public sealed class ArtifactKeyRingTests : IDisposable
{
    private readonly string _dir = RegistryTestHost.NewDataDirectory();

    public ArtifactKeyRingTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => RegistryTestHost.DeleteDirectory(_dir);

    private static string Key() => Convert.ToBase64String(AesGcmCodecTests.NewKey());

    [Fact]
    public void Load_NothingConfigured_NoRing()
    {
        Assert.Null(ArtifactKeyRing.Load(new ArtifactEncryptionOptions(), _dir));
    }

    [Fact]
    public void Load_OneConfiguredKey_ItIsActive()
    {
        var ring = ArtifactKeyRing.Load(new ArtifactEncryptionOptions { Keys = { ["k1"] = Key() } }, _dir);

        Assert.Equal("k1", ring!.ActiveKeyId);
    }

    [Fact]
    public void Load_TwoKeysWithoutActiveKeyId_Refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ArtifactKeyRing.Load(new ArtifactEncryptionOptions { Keys = { ["k1"] = Key(), ["k2"] = Key() } }, _dir));

        Assert.Contains("ActiveKeyId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k1", "c2hvcnQ=")]
    [InlineData("k1", "not base64!")]
    [InlineData("bad id", "")]
    public void Load_BadKeyOrId_RefusedSayingWhich(string id, string value)
    {
        var key = value.Length == 0 ? Key() : value;

        var error = Assert.Throws<InvalidOperationException>(() =>
            ArtifactKeyRing.Load(new ArtifactEncryptionOptions { Keys = { [id] = key } }, _dir));

        Assert.Contains(id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PrivateKeyFile_LastKeyActiveUnlessNamed()
    {
        var path = Path.Combine(_dir, "storage.keys");
        File.WriteAllText(path, $"# storage keys\nold={Key()}\n\nnew = {Key()}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var ring = ArtifactKeyRing.Load(new ArtifactEncryptionOptions { KeyFile = "storage.keys" }, _dir);
        var named = ArtifactKeyRing.Load(new ArtifactEncryptionOptions { KeyFile = path, ActiveKeyId = "old" }, _dir);

        Assert.Equal("new", ring!.ActiveKeyId);
        Assert.Equal(["new", "old"], ring.KeyIds.Order(StringComparer.Ordinal));
        Assert.Equal("old", named!.ActiveKeyId);
    }

    [Fact]
    public void Load_KeyFileReadableByOthers_Refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_dir, "storage.keys");
        File.WriteAllText(path, $"k={Key()}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidOperationException>(() => ArtifactKeyRing.Load(new ArtifactEncryptionOptions { KeyFile = path }, _dir));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ActiveKeyIdUnknown_OptionsRefusedAtStart()
    {
        var options = new RegistryOptions { DataDirectory = _dir };
        options.Encryption.Keys["k1"] = Key();
        options.Encryption.ActiveKeyId = "k2";

        var result = new RegistryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("'k2'", result.FailureMessage, StringComparison.Ordinal);
    }
}
