using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Optimization;

/// <summary>Tiny ONNX graphs for the quantize job's tests.</summary>
internal static class TinyModels
{
    /// <summary>Y = X · W with X float [batch, 4] (batch symbolic unless <paramref name="batch"/> is given), W [4, 3].</summary>
    public static byte[] Linear(float scale = 1f, long batch = -1)
    {
        var weights = new float[12];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = scale * ((i % 5) - 2 + (0.1f * i));
        }

        return new OnnxModelBuilder()
            .AddInput("x", TensorDataType.Fp32, [batch, 4])
            .AddInitializer("w", TensorDataType.Fp32, [4, 3], weights)
            .AddNode("MatMul", ["x", "w"], ["y"])
            .AddOutput("y", TensorDataType.Fp32, [batch, 3])
            .ToBytes();
    }

    /// <summary>A BERT-shaped encoder: token ids (and an unused mask) → an embedding table lookup → [batch, tokens, 8].</summary>
    public static byte[] Encoder(int vocabulary, float noise = 0f)
    {
        var random = new Random(7);
        var table = new float[vocabulary * 8];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (float)(Math.Sin(i * 0.37) + (noise * ((random.NextDouble() * 2) - 1)));
        }

        return new OnnxModelBuilder()
            .AddInput("input_ids", TensorDataType.Int64, [-1, -1])
            .AddInput("attention_mask", TensorDataType.Int64, [-1, -1])
            .AddInitializer("table", TensorDataType.Fp32, [vocabulary, 8], table)
            .AddNode("Gather", ["table", "input_ids"], ["last_hidden_state"])
            .AddOutput("last_hidden_state", TensorDataType.Fp32, [-1, -1, 8])
            .ToBytes();
    }
}
