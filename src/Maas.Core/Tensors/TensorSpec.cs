namespace Maas.Core.Tensors;

/// <summary>Name, element type and shape of a model input or output; <c>-1</c> marks a variable dimension.</summary>
public sealed record TensorSpec(string Name, TensorDataType DataType, IReadOnlyList<long> Shape)
{
    /// <summary>True when <paramref name="shape"/> has this spec's rank and matches every fixed dimension.</summary>
    public bool Accepts(ReadOnlySpan<long> shape)
    {
        if (shape.Length != Shape.Count)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            if (Shape[i] >= 0 && Shape[i] != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The shape as the protocol writes it, e.g. <c>[-1, 384]</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
