using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>Turns a <c>ValueInfoProto</c> (a graph input or output) into a <see cref="TensorSpec"/>.</summary>
internal static class OnnxValueInfoReader
{
    /// <summary>Far above any real tensor rank; stops a crafted shape from growing without end.</summary>
    internal const int MaxRank = 1024;

    private const int TypeDenotation = 6;

    public static TensorSpec Read(ProtoReader reader, long end, string role)
    {
        string? name = null;
        TensorSpec? typed = null;
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.ValueInfoName:
                    name = reader.ReadString(wireType, end, "ValueInfoProto.name");
                    break;
                case OnnxFields.ValueInfoType:
                    typed = ReadType(reader, reader.ReadLengthDelimited(wireType, end, "ValueInfoProto.type"), role, name);
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidDataException($"Not a valid ONNX model: a graph {role} has no name.");
        }

        return typed is null
            ? throw new InvalidDataException($"Not a valid ONNX model: graph {role} '{name}' has no type.")
            : typed with { Name = name };
    }

    private static TensorSpec ReadType(ProtoReader reader, long end, string role, string? name)
    {
        TensorSpec? spec = null;
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.TypeTensorType:
                    spec = ReadTensorType(reader, reader.ReadLengthDelimited(wireType, end, "TypeProto.tensor_type"), role, name);
                    break;
                case TypeDenotation:
                    reader.Skip(wireType, end);
                    break;
                default:
                    // Sequences, maps, optionals and sparse tensors have no TensorSpec equivalent.
                    throw new InvalidDataException(
                        $"Unsupported ONNX model: graph {role} '{name}' is not a dense tensor (TypeProto field {field}).");
            }
        }

        return spec ?? throw new InvalidDataException($"Not a valid ONNX model: graph {role} '{name}' has an empty type.");
    }

    private static TensorSpec ReadTensorType(ProtoReader reader, long end, string role, string? name)
    {
        long elemType = 0;
        List<long> shape = [];
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.TensorTypeElemType:
                    elemType = reader.ReadInt64(wireType, "TypeProto.Tensor.elem_type");
                    break;
                case OnnxFields.TensorTypeShape:
                    // A shape message repeated on the wire merges: its dims append.
                    ReadShape(reader, reader.ReadLengthDelimited(wireType, end, "TypeProto.Tensor.shape"), shape);
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }

        if (!OnnxElementTypes.TryFromOnnx(elemType, out var dataType))
        {
            throw new InvalidDataException(
                $"Unsupported ONNX model: graph {role} '{name}' has element type {OnnxElementTypes.Describe(elemType)}.");
        }

        return new TensorSpec(name ?? string.Empty, dataType, shape);
    }

    private static void ReadShape(ProtoReader reader, long end, List<long> shape)
    {
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            if (field != OnnxFields.ShapeDim)
            {
                reader.Skip(wireType, end);
                continue;
            }

            if (shape.Count >= MaxRank)
            {
                throw new InvalidDataException($"Not a valid ONNX model: a tensor shape has more than {MaxRank} dimensions.");
            }

            shape.Add(ReadDimension(reader, reader.ReadLengthDelimited(wireType, end, "TensorShapeProto.dim")));
        }
    }

    private static long ReadDimension(ProtoReader reader, long end)
    {
        // Neither field set means the exporter did not know the size: variable, like a dim_param.
        long value = -1;
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.DimValue:
                    value = Math.Max(reader.ReadInt64(wireType, "Dimension.dim_value"), -1);
                    break;
                case OnnxFields.DimParam:
                    // Only the fact that it is symbolic matters here; the name itself is skipped.
                    reader.SkipTo(reader.ReadLengthDelimited(wireType, end, "Dimension.dim_param"), end);
                    value = -1;
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }

        return value;
    }
}
