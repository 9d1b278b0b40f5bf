using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Tensors;
using Maas.Server.Protocols.V2;

namespace Maas.Server.Protocols.Predict;

/// <summary>Turns a nested JSON array (<c>[[1,2],[3,4]]</c>) into a tensor of the input's type, taking the shape from the nesting.</summary>
internal static class NestedArrays
{
    public static Tensor ToTensor(TensorSpec spec, JsonElement value, int maxElements)
    {
        var shape = new List<long>();
        var probe = value;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                break;
            }

            probe = probe[0];
        }

        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
            if (count > maxElements)
            {
                throw new MaasException(MaasErrorKind.PayloadTooLarge, $"Input '{spec.Name}' has more than {maxElements} elements, the server's limit.");
            }
        }

        if (count == 0)
        {
            throw MaasException.InvalidArgument($"Input '{spec.Name}' is empty.");
        }

        EnsureRectangular(spec.Name, value, shape, 0);
        var shapeArray = shape.ToArray();
        if (!spec.Accepts(shapeArray))
        {
            throw MaasException.InvalidArgument($"Input '{spec.Name}' has shape [{string.Join(", ", shapeArray)}]; the model expects {spec.ShapeText}.");
        }

        return V2TensorDataReader.Read(spec.Name, spec.DataType, shapeArray, (int)count, Encoding.UTF8.GetBytes(value.GetRawText()));
    }

    /// <summary>The shape is read from the first element at each depth, so every other row must match it;
    /// otherwise rows of different lengths could add up to the right count and be silently re-cut.</summary>
    private static void EnsureRectangular(string name, JsonElement value, List<long> shape, int depth)
    {
        if (depth == shape.Count)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                throw Ragged(name, shape);
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != shape[depth])
        {
            throw Ragged(name, shape);
        }

        foreach (var item in value.EnumerateArray())
        {
            EnsureRectangular(name, item, shape, depth + 1);
        }
    }

    private static MaasException Ragged(string name, List<long> shape) =>
        MaasException.InvalidArgument($"Input '{name}' is a ragged array: its first rows give shape [{string.Join(", ", shape)}], but not every row has that length.");
}
