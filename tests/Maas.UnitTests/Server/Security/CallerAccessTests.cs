using System.Security.Claims;
using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Server.Security;

namespace Maas.UnitTests.Server.Security;

public sealed class CallerAccessTests
{
    [Theory]
    [InlineData("admin", "Read Infer Inspect Publish Download Delete Administer Metrics")]
    [InlineData("publisher", "Read Infer Inspect Publish Download")]
    [InlineData("inference", "Read Infer")]
    [InlineData("viewer", "Read Inspect Metrics")]
    public void Allows_EachRole_ExactlyItsActions(string role, string allowed)
    {
        var access = CallerAccess.From(MaasPrincipal.FromKey(Key(role)));

        var actual = Enum.GetValues<ModelAction>().Where(access.Allows).Select(a => a.ToString());

        Assert.Equal(allowed.Split(' '), actual);
    }

    [Fact]
    public void Require_ModelOutsidePatterns_NotFoundAsAMissingModel()
    {
        var access = CallerAccess.From(MaasPrincipal.FromKey(Key("viewer", "team-a-*")));

        var hidden = Assert.Throws<MaasException>(() => access.Require("team-b-x", ModelAction.Read));
        var denied = Assert.Throws<MaasException>(() => access.Require("team-a-x", ModelAction.Infer));
        access.Require("team-a-x", ModelAction.Inspect);

        Assert.Equal((MaasErrorKind.NotFound, "model 'team-b-x' not found"), (hidden.Kind, hidden.Message));
        Assert.Equal(MaasErrorKind.PermissionDenied, denied.Kind);
    }

    [Fact]
    public void CanSee_AdminKey_EveryModel()
    {
        var access = CallerAccess.From(MaasPrincipal.FromKey(Key("admin")));

        Assert.True(access.CanSee("anything"));
        Assert.True(access.IsUnrestricted);
    }

    [Fact]
    public void From_NoMaasRole_Unauthenticated()
    {
        var error = Assert.Throws<MaasException>(() => CallerAccess.From(new ClaimsPrincipal(new ClaimsIdentity())));

        Assert.Equal(MaasErrorKind.Unauthenticated, error.Kind);
    }

    [Fact]
    public void Actor_KeyPrincipal_NameAndId()
    {
        Assert.Equal("ci#0123456789abcdef", CallerAccess.From(MaasPrincipal.FromKey(Key("inference"))).Actor);
        Assert.Equal("anonymous", CallerAccess.From(MaasPrincipal.Anonymous()).Actor);
    }

    [Fact]
    public void FromKey_Limits_AsInvariantClaims()
    {
        var principal = MaasPrincipal.FromKey(Key("inference") with { RequestsPerSecond = 2.5, TokensPerMinute = 1000 });

        Assert.Equal("2.5", principal.FindFirst(MaasClaims.RequestsPerSecond)?.Value);
        Assert.Equal("1000", principal.FindFirst(MaasClaims.TokensPerMinute)?.Value);
        Assert.Equal("0123456789abcdef", principal.FindFirst(MaasClaims.KeyId)?.Value);
    }

    private static ApiKeyRecord Key(string role, params string[] patterns) =>
        new("0123456789abcdef", "ci", role, patterns, "salt", "hash", "maas_0123456789abcdef_…", DateTimeOffset.UnixEpoch, "test");
}
