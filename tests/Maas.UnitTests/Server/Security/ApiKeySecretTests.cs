using Maas.Server.Security;

namespace Maas.UnitTests.Server.Security;

public sealed class ApiKeySecretTests
{
    [Fact]
    public void Generate_NewKey_ParsesBackAndVerifiesOnlyItsOwnSecret()
    {
        var (id, full, salt, hash) = ApiKeySecret.Generate();
        var other = ApiKeySecret.Generate();

        Assert.True(ApiKeySecret.TryParse(full, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.True(secret.Length >= 43, "32 random bytes in base64url are 43 characters");
        Assert.True(ApiKeySecret.Verify(secret, salt, hash));
        Assert.False(ApiKeySecret.Verify(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'), salt, hash));
        Assert.False(ApiKeySecret.Verify(secret, other.Salt, other.Hash));
        Assert.NotEqual(salt, other.Salt);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk-0123456789abcdef")]
    [InlineData("maas_")]
    [InlineData("maas_0123456789abcdef")]
    [InlineData("maas_0123456789ABCDEF_abcdefghijklmnopqrstu")]
    [InlineData("maas_0123_abcdefghijklmnopqrstuvwxyz")]
    [InlineData("maas_0123456789abcdef_short")]
    public void TryParse_NotAMaasKey_False(string text) =>
        Assert.False(ApiKeySecret.TryParse(text, out _, out _));

    [Fact]
    public void Verify_CorruptStoredValues_FalseNotThrow() =>
        Assert.False(ApiKeySecret.Verify("secret", "not base64!", "also not"));
}
