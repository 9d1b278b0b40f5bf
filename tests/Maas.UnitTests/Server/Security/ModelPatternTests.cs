using Maas.Server.Security;

namespace Maas.UnitTests.Server.Security;

public sealed class ModelPatternTests
{
    [Theory]
    [InlineData("team-a-*", "team-a-adder", true)]
    [InlineData("team-a-*", "team-a-", true)]
    [InlineData("team-a-*", "team-b-adder", false)]
    [InlineData("team-a-*", "xteam-a-adder", false)]
    [InlineData("*-int8", "minilm-int8", true)]
    [InlineData("*-int8", "minilm-int8-v2", false)]
    [InlineData("minilm", "minilm", true)]
    [InlineData("minilm", "minilm2", false)]
    [InlineData("m?nilm", "minilm", true)]
    [InlineData("*a*b*", "xxaxxbxx", true)]
    [InlineData("*a*b*", "xxbxxaxx", false)]
    [InlineData("*", "anything", true)]
    public void Matches_Pattern_AsGlob(string pattern, string name, bool expected) =>
        Assert.Equal(expected, ModelPattern.Matches(pattern, name));

    [Theory]
    [InlineData("team-a-*", true)]
    [InlineData("*", true)]
    [InlineData("", false)]
    [InlineData("team a", false)]
    [InlineData("../x", false)]
    public void IsValid_Pattern_FollowsModelNameRule(string pattern, bool expected) =>
        Assert.Equal(expected, ModelPattern.IsValid(pattern));
}
