using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Maas.Registry.Push;

namespace Maas.UnitTests.Registry;

/// <summary>Stands in for the ONNX reader so tests choose the signature a "model file" has.</summary>
internal sealed class FakeSignatureReader : ISignatureReader
{
    public static OnnxModelInfo TensorModel { get; } = Info(
        [new TensorSpec("input", TensorDataType.Fp32, [-1, 4])],
        [new TensorSpec("output", TensorDataType.Fp32, [-1, 2])]);

    public static OnnxModelInfo BertEncoder { get; } = Info(
        [
            new TensorSpec("input_ids", TensorDataType.Int64, [-1, -1]),
            new TensorSpec("attention_mask", TensorDataType.Int64, [-1, -1]),
            new TensorSpec("token_type_ids", TensorDataType.Int64, [-1, -1]),
        ],
        [new TensorSpec("last_hidden_state", TensorDataType.Fp32, [-1, -1, 384])]);

    public Func<string, OnnxModelInfo> Reader { get; set; } = _ => TensorModel;

    public List<string> Paths { get; } = [];

    public OnnxModelInfo ReadOnnx(string path)
    {
        lock (Paths)
        {
            Paths.Add(path);
        }

        return Reader(path);
    }

    public static OnnxModelInfo Info(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs) =>
        new(inputs, outputs, 8, new Dictionary<string, long> { [""] = 17 }, "pytorch", "2.1.0", "main_graph", 10, 5);
}
