using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization;
using Maas.UnitTests.Formats;
using Microsoft.Extensions.DependencyInjection;
using static Maas.UnitTests.Optimization.PassTestModels;

namespace Maas.UnitTests.Optimization;

/// <summary>The registered ONNX passes through the <see cref="IModelPass"/> contract the quantize job uses.</summary>
public sealed class OnnxPassTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    public static TheoryData<string, int> Methods => new()
    {
        { "dynamic-int8", (int)TensorProto.Types.DataType.Int8 },
        { "int4", (int)TensorProto.Types.DataType.Uint8 },
        { "fp16", (int)TensorProto.Types.DataType.Float16 },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task RunAsync_SmallModel_WritesTheRewrittenModelIntoTheOutputFolder(string method, int weightType)
    {
        var pass = Pass(method);
        var parent = _folder.Write("model.onnx", new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [-1, 64])
            .AddInitializer("w", TensorDataType.Fp32, [64, 32], Random(64 * 32, 1))
            .AddOutput("y", TensorDataType.Fp32, [-1, 32])
            .AddNode("MatMul", ["x", "w"], ["y"])
            .ToBytes());
        var output = Path.Combine(_folder.Path, "out");
        var progress = new List<double>();
        using var options = JsonDocument.Parse("{}");

        var result = await pass.RunAsync(
            new PassContext(parent, new ModelManifest(), options.RootElement, output, (fraction, _) => progress.Add(fraction)),
            CancellationToken.None);

        Assert.Equal(Path.Combine(output, "model.onnx"), result.ModelPath);
        Assert.Equal([result.ModelPath], Directory.GetFiles(output));
        Assert.Contains(OnnxModelFile.Load(result.ModelPath).Graph.Initializer, t => t.DataType == weightType);
        Assert.Equal(1.0, progress[^1]);
        Assert.NotEmpty(result.Parameters);
        Assert.NotEmpty(result.Notes);
        var x = Random(2 * 64, 2);
        var expected = OnnxRuntimeRunner.Run(parent, [("x", TensorDataType.Fp32, x, [2, 64])], "y", TensorDataType.Fp32);
        var actual = OnnxRuntimeRunner.Run(result.ModelPath, [("x", TensorDataType.Fp32, x, [2, 64])], "y", TensorDataType.Fp32);
        Assert.InRange(RelativeError((float[])expected, (float[])actual), 0, 0.1);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task RunAsync_NothingToOptimize_FailsWithInvalidArgumentAndWritesNothing(string method, int weightType)
    {
        _ = weightType;
        var pass = Pass(method);
        var parent = _folder.Write("model.onnx", new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Int64, [-1])
            .AddOutput("y", TensorDataType.Int64, [-1])
            .AddNode("Neg", ["x"], ["y"])
            .ToBytes());
        var output = Path.Combine(_folder.Path, "out");
        using var options = JsonDocument.Parse("{}");

        var error = await Assert.ThrowsAsync<MaasException>(() =>
            pass.RunAsync(new PassContext(parent, new ModelManifest(), options.RootElement, output, (_, _) => { }), CancellationToken.None));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void AddMaasOptimization_RegistersEachOnnxMethodOnce()
    {
        using var provider = new ServiceCollection().AddMaasOptimization().BuildServiceProvider();

        var methods = provider.GetServices<IModelPass>().Where(p => p.Format == "onnx").Select(p => p.Method).ToList();

        Assert.Equal(methods.Distinct().Count(), methods.Count);
        Assert.Superset(new HashSet<string> { "dynamic-int8", "int4", "fp16" }, new HashSet<string>(methods));
    }

    public void Dispose() => _folder.Dispose();

    private static IModelPass Pass(string method)
    {
        var provider = new ServiceCollection().AddMaasOptimization().BuildServiceProvider();
        return provider.GetServices<IModelPass>().Single(p => p.Method == method);
    }
}
