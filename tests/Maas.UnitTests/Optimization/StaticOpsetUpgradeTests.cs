using Maas.Core.Errors;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Static;

namespace Maas.UnitTests.Optimization;

/// <summary>Opset raising and BatchNormalization folding keep the float outputs (run in ONNX Runtime before and after).</summary>
public sealed class StaticOpsetUpgradeTests
{
    [Fact]
    public async Task Raise_Opset8ConvBatchNormGraph_OutputsUnchanged()
    {
        using var graph = StaticInt8PassTests.Opset8ConvBn();
        var before = graph.Save();
        var model = graph.Model.Clone();

        var notes = OpsetUpgrade.Raise(model);
        var after = graph.Save(model, "upgraded.onnx");

        Assert.Equal(13, QdqNodes.DefaultOpset(model));
        Assert.Equal(7, model.IrVersion);
        Assert.Equal(["x"], model.Graph.Input.Select(i => i.Name));
        Assert.Null(OnnxAttributes.Find(model.Graph.Node.Single(n => n.OpType == "BatchNormalization"), "spatial"));
        Assert.NotEmpty(notes);
        var feeds = graph.Feeds(4, [1, 3, 8, 8]);
        Assert.InRange(StaticTestGraph.RelativeError(await StaticTestGraph.RunAsync(before, feeds), await StaticTestGraph.RunAsync(after, feeds)), 0, 1e-6);
    }

    [Fact]
    public async Task Fold_ConvBatchNorm_OutputsUnchangedAndBatchNormGone()
    {
        using var graph = StaticInt8PassTests.Opset8ConvBn();
        var before = graph.Save();
        var model = graph.Model.Clone();

        var folded = BatchNormFolding.Fold(model);
        var after = graph.Save(model, "folded.onnx");

        Assert.Equal(1, folded);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(3, model.Graph.Node.Single(n => n.OpType == "Conv").Input.Count);
        var feeds = graph.Feeds(4, [1, 3, 8, 8]);
        Assert.InRange(StaticTestGraph.RelativeError(await StaticTestGraph.RunAsync(before, feeds), await StaticTestGraph.RunAsync(after, feeds)), 0, 1e-5);
    }

    [Fact]
    public void Raise_SoftmaxAtOpset8_ThrowsInvalidArgumentWithReason()
    {
        using var graph = new StaticTestGraph(opset: 8).Input("x", 1, 4).Output("y", 1, 4).Node("Softmax", ["x"], ["y"]);

        var error = Assert.Throws<MaasException>(() => OpsetUpgrade.Raise(graph.Model));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Softmax", error.Message, StringComparison.Ordinal);
        Assert.Contains("axis", error.Message, StringComparison.Ordinal);
        Assert.Equal(8, QdqNodes.DefaultOpset(graph.Model));
    }

    [Fact]
    public void Raise_UnknownOp_ThrowsInvalidArgument()
    {
        using var graph = new StaticTestGraph(opset: 9).Input("x", 1, 4).Output("y", 1, 4).Node("Scan", ["x"], ["y"]);

        var error = Assert.Throws<MaasException>(() => OpsetUpgrade.Raise(graph.Model));

        Assert.Contains("Scan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_BatchNormSpatialZero_ThrowsInvalidArgument()
    {
        using var graph = StaticInt8PassTests.Opset8ConvBn();
        OnnxAttributes.Find(graph.Model.Graph.Node.Single(n => n.OpType == "BatchNormalization"), "spatial")!.I = 0;

        var error = Assert.Throws<MaasException>(() => OpsetUpgrade.Raise(graph.Model));

        Assert.Contains("spatial=0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_AlreadyOpset13_ChangesNothing()
    {
        using var graph = StaticInt8PassTests.ConvBlock();
        var before = graph.Model.Clone();

        Assert.Empty(OpsetUpgrade.Raise(graph.Model));
        Assert.Equal(before, graph.Model);
    }

    [Fact]
    public async Task RunAsync_Opset8Softmax_ThrowsInvalidArgument()
    {
        using var graph = new StaticTestGraph(opset: 8)
            .Input("x", 1, 3, 4, 4).Output("y", 1, 12)
            .Weight("w", [3, 3, 1, 1])
            .Node("Conv", ["x", "w"], ["c"])
            .Node("Flatten", ["c"], ["f"])
            .Node("Softmax", ["f"], ["y"]);
        var path = graph.Save();

        var error = await Assert.ThrowsAsync<MaasException>(() => graph.QuantizeAsync(path, null, graph.Feeds(1, [1, 3, 4, 4])));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Softmax", error.Message, StringComparison.Ordinal);
    }
}
