using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>Maps ONNX <c>TensorProto.DataType</c> numbers to and from <see cref="TensorDataType"/>.</summary>
internal static class OnnxElementTypes
{
    /// <summary>ONNX numbers indexed by <see cref="TensorDataType"/>; STRING (8) carries BYTES.</summary>
    private static readonly int[] OnnxNumbers = [9, 2, 4, 12, 13, 3, 5, 6, 7, 10, 1, 11, 8];

    /// <summary>Names of every ONNX element type, so an unsupported one is named in the error.</summary>
    private static readonly string[] OnnxNames =
    [
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
        "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
        "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1",
    ];

    public static int ToOnnx(TensorDataType type) => OnnxNumbers[(int)type];

    public static bool TryFromOnnx(long onnxNumber, out TensorDataType type)
    {
        var index = Array.IndexOf(OnnxNumbers, (int)Math.Clamp(onnxNumber, -1, int.MaxValue));
        type = index < 0 ? default : (TensorDataType)index;
        return index >= 0;
    }

    /// <summary>The schema's name for an element type number, for error messages.</summary>
    public static string Describe(long onnxNumber) =>
        onnxNumber >= 0 && onnxNumber < OnnxNames.Length ? $"{OnnxNames[onnxNumber]} ({onnxNumber})" : $"unknown ({onnxNumber})";
}
