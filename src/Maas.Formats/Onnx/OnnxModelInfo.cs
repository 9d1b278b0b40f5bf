using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>What an ONNX file says about itself: its graph's real inputs (initializers excluded) and outputs, and header facts.</summary>
public sealed record OnnxModelInfo(
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    long IrVersion,
    IReadOnlyDictionary<string, long> OpsetImports,
    string? ProducerName,
    string? ProducerVersion,
    string? GraphName,
    int NodeCount,
    int InitializerCount);
