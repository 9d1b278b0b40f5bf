using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Serving.Processing;

namespace Maas.UnitTests.Serving.Processing;

public sealed class ClassificationTests
{
    [Fact]
    public void TopK_BatchOfTwoRows_SortsEachRowByScoreThenIndex()
    {
        using var scores = Tensor.Create("p", [2, 4], new[] { 0.1f, 0.4f, 0.4f, 0.1f, 0.7f, 0.1f, 0.15f, 0.05f });

        var rows = Classification.TopK(scores, 3, ["a", "b", "c", "d"]);

        Assert.Equal(2, rows.Count);
        Assert.Equal([1, 2, 0], rows[0].Select(c => c.Index));
        Assert.Equal(["b", "c", "a"], rows[0].Select(c => c.Label));
        Assert.Equal([0, 2, 1], rows[1].Select(c => c.Index));
    }

    [Fact]
    public void ToStrings_KLargerThanClasses_ReturnsEveryClassAsScoreIndexLabel()
    {
        using var scores = Tensor.Create("p", [1, 2], new[] { 0.25f, 0.75f });

        using var strings = Classification.ToStrings(scores, 5, ["no", "yes"]);

        Assert.Equal(TensorDataType.Bytes, strings.DataType);
        Assert.Equal([1L, 2L], strings.Shape);
        Assert.Equal(["0.75:1:yes", "0.25:0:no"], strings.EnumerateBytes().Select(b => System.Text.Encoding.UTF8.GetString(b.Span)));
    }

    [Fact]
    public void ToStrings_IntegerOutputWithoutLabels_WritesScoreIndex()
    {
        using var scores = Tensor.Create("y", [3], new[] { 5L, -2L, 9L });

        using var strings = Classification.ToStrings(scores, 2);

        Assert.Equal([2L], strings.Shape);
        Assert.Equal(["9:2", "5:0"], strings.EnumerateBytes().Select(b => System.Text.Encoding.UTF8.GetString(b.Span)));
    }

    [Fact]
    public void Format_FloatAndDoubleScores_WritesEachInItsShortestRoundTripForm()
    {
        Assert.Equal("0.3:0:x", Classification.Format(new ClassScore(0, 0.3f, "x")));
        Assert.Equal("0.1:3", Classification.Format(new ClassScore(3, 0.1, null)));
        Assert.Equal("0.30000000000000004:1", Classification.Format(new ClassScore(1, 0.1 + 0.2, null)));
    }

    [Fact]
    public void TopK_BytesOutput_ThrowsInvalidArgument()
    {
        using var text = Tensor.FromStrings("t", [1], ["a"]);

        var ex = Assert.Throws<MaasException>(() => Classification.TopK(text, 1));

        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
    }
}
