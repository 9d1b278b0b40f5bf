namespace Maas.Core.Tensors;

/// <summary>Element types of a tensor, named as the Open Inference Protocol names them.</summary>
public enum TensorDataType
{
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    Fp16,
    Fp32,
    Fp64,
    /// <summary>Variable-length byte strings (UTF-8 text for text models).</summary>
    Bytes,
}
