using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Static;

/// <summary>What the static pass will quantize, decided on the float graph before calibration.</summary>
/// <param name="Nodes">Nodes surrounded by QuantizeLinear/DequantizeLinear (fused Relus not among them).</param>
/// <param name="ReluFusions">Producer → Relu pairs whose Relu is dropped: a uint8 QuantizeLinear with zero point 0
/// on the Relu's range clamps at 0 exactly as the Relu did, and leaves the producer's output Q-only so the runtime
/// can fuse it (QLinearConv, QLinearAdd).</param>
/// <param name="Tensors">Activations that get a QuantizeLinear/DequantizeLinear pair (names as in the float graph;
/// a fused producer's output takes its Relu's output name).</param>
/// <param name="Propagated">Tensors that take the same scale and zero point as another (MaxPool, Flatten, Reshape
/// outputs), so the runtime can run those ops on the integers directly.</param>
/// <param name="Calibrated">The tensors whose ranges calibration must measure (<paramref name="Tensors"/> less the
/// propagated ones).</param>
/// <param name="Skipped">Nodes of a quantizable type left in float, with the reason.</param>
internal sealed record QdqPlan(
    IReadOnlyList<NodeProto> Nodes,
    IReadOnlyList<(NodeProto Producer, NodeProto Relu)> ReluFusions,
    IReadOnlySet<string> Tensors,
    IReadOnlyDictionary<string, string> Propagated,
    IReadOnlyList<string> Calibrated,
    IReadOnlyList<string> Skipped);
