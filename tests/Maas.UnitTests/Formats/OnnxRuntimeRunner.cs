using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Maas.UnitTests.Formats;

/// <summary>Loads a model file in ONNX Runtime and runs it once, so tests can check that written models really work.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>Runs the model with the given inputs and returns the named output's elements.</summary>
    public static Array Run(
        string modelPath,
        IReadOnlyList<(string Name, TensorDataType Type, Array Values, long[] Shape)> inputs,
        string outputName,
        TensorDataType outputType)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(modelPath, options);
        using var runOptions = new RunOptions();
        var values = inputs.Select(i => OnnxSampleValues.ToOrtValue(i.Type, i.Values, i.Shape)).ToList();
        try
        {
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToList(), values, [outputName]);
            return OnnxSampleValues.FromOrtValue(outputType, results[0]);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }
}
