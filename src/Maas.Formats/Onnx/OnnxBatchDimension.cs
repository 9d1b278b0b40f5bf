using System.Buffers.Binary;
using Google.Protobuf;
using Maas.Formats.Onnx.Proto;

namespace Maas.Formats.Onnx;

/// <summary>Makes a model's batch dimension symbolic when the exporter fixed it at 1 (e.g. CNTK's ResNet18), so a
/// runtime can run several inputs in one call.</summary>
/// <remarks>
/// Edits the first dimension of every graph input (that is not an initializer), graph output and value_info entry
/// from 1 to the named parameter, and the leading 1 of constant <c>Reshape</c> shapes to 0 ("copy the input's
/// dimension"). A <c>Flatten</c> with <c>axis = 0</c> folds the batch away and is refused, as is a <c>Reshape</c>
/// whose shape is not a constant initializer; the caller should still compare outputs before and after.
/// </remarks>
public static class OnnxBatchDimension
{
    /// <summary>Edits <paramref name="model"/> in place; returns the number of dimensions and constants changed.</summary>
    /// <exception cref="InvalidOperationException">The graph has an operator that pins the batch in a way this edit cannot change.</exception>
    public static int MakeSymbolic(ModelProto model, string parameter = "batch")
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var changed = 0;
        foreach (var value in graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (value.Type?.TensorType?.Shape is { Dim: [var first, ..] } && first.HasDimValue && first.DimValue == 1)
            {
                first.DimParam = parameter;
                changed++;
            }
        }

        foreach (var node in graph.Node)
        {
            switch (node.OpType)
            {
                case "Flatten" when node.Attribute.Any(a => a.Name == "axis" && a.I == 0):
                    throw new InvalidOperationException($"Flatten node '{node.Name}' has axis 0, which folds the batch dimension away.");
                case "Reshape" when node.Input.Count >= 2:
                    var shape = graph.Initializer.FirstOrDefault(i => i.Name == node.Input[1])
                        ?? throw new InvalidOperationException($"Reshape node '{node.Name}' takes its shape from '{node.Input[1]}', not a constant; its batch dimension cannot be checked.");
                    changed += ZeroLeadingOne(shape) ? 1 : 0;
                    break;
            }
        }

        return changed;
    }

    private static bool ZeroLeadingOne(TensorProto shape)
    {
        if (shape.Int64Data.Count > 0)
        {
            if (shape.Int64Data[0] != 1)
            {
                return false;
            }

            shape.Int64Data[0] = 0;
            return true;
        }

        if (shape.RawData.Length >= sizeof(long) && BinaryPrimitives.ReadInt64LittleEndian(shape.RawData.Span) == 1)
        {
            var bytes = shape.RawData.ToByteArray();
            BinaryPrimitives.WriteInt64LittleEndian(bytes, 0);
            shape.RawData = ByteString.CopyFrom(bytes);
            return true;
        }

        return false;
    }
}
