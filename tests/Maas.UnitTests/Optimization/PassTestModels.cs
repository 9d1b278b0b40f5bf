using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.UnitTests.Formats;

namespace Maas.UnitTests.Optimization;

/// <summary>Small graphs for the pass tests, and running them (before and after a pass) in ONNX Runtime.</summary>
internal static class PassTestModels
{
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
    }

    public static ModelProto Parse(OnnxModelBuilder builder) => ModelProto.Parser.ParseFrom(builder.ToBytes());

    /// <summary>Writes <paramref name="model"/> into <paramref name="folder"/> and runs it once.</summary>
    public static float[] Run(
        TempModelFolder folder,
        ModelProto model,
        string output,
        params (string Name, TensorDataType Type, Array Values, long[] Shape)[] inputs) => Run(folder, model, output, TensorDataType.Fp32, inputs);

    public static float[] Run(
        TempModelFolder folder,
        ModelProto model,
        string output,
        TensorDataType outputType,
        params (string Name, TensorDataType Type, Array Values, long[] Shape)[] inputs)
    {
        var path = folder.File($"m{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Save(model, path);
        var result = OnnxRuntimeRunner.Run(path, inputs, output, outputType);
        return result as float[] ?? Array.ConvertAll((Half[])result, h => (float)h);
    }

    /// <summary>max |expected − actual| / max |expected|: the error relative to the output's range.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var range = expected.Max(MathF.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        return worst / range;
    }

    public static IEnumerable<string> OpTypes(ModelProto model) => model.Graph.Node.Select(n => n.OpType);
}
