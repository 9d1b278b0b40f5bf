using Maas.Core.Tensors;
using Maas.Optimization.Quantization.Static;
using Maas.Samples;

namespace Maas.UnitTests.Optimization;

/// <summary>The real ResNet18 (opset 8, BatchNormalization) through the static-int8 pass on a few synthetic images;
/// the full measurement (32 calibration images, throughput) is the bench's <c>static-int8</c> mode.</summary>
public sealed class StaticInt8ResNet18Tests
{
    [Fact]
    public async Task RunAsync_ResNet18_SmallerAndFeaturesAgree()
    {
        using var graph = new StaticTestGraph();
        var calibration = Enumerable.Range(0, 4).Select(i => Feed(100 + i)).ToList();
        var evaluation = Enumerable.Range(0, 3).Select(i => Feed(900 + i)).ToList();

        var result = await graph.QuantizeAsync(SampleModels.ResNet18Path, null, calibration);

        Assert.InRange(new FileInfo(result.ModelPath).Length / (double)new FileInfo(SampleModels.ResNet18Path).Length, 0.2, 0.3);
        var expected = await StaticTestGraph.RunAsync(SampleModels.ResNet18Path, evaluation);
        var actual = await StaticTestGraph.RunAsync(result.ModelPath, evaluation);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.InRange(Cosine(expected[i], actual[i]), 0.95, 1.0001);
        }

        Assert.Equal("13", result.Parameters["opset"]);
        Assert.Contains(result.Notes, n => n.StartsWith("22 BatchNormalization", StringComparison.Ordinal));
    }

    private static IReadOnlyList<Tensor> Feed(int seed) =>
        [Tensor.Create("Input247", [1, 3, 224, 224], SyntheticImages.Create(seed, 224, 224, SyntheticImages.CaffeBgrMeans))];

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
