using Maas.Formats.Onnx.Proto;

namespace Maas.Formats.Onnx;

/// <summary>Finds every tensor a model holds: initializers, sparse initializers, and tensors in node attributes, in
/// the main graph, in nested graphs (If/Loop/Scan bodies), in training info and in functions.</summary>
public static class OnnxTensors
{
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graphs = new List<GraphProto>();
        if (model.Graph is not null)
        {
            graphs.Add(model.Graph);
        }

        foreach (var info in model.TrainingInfo)
        {
            if (info.Initialization is not null)
            {
                graphs.Add(info.Initialization);
            }

            if (info.Algorithm is not null)
            {
                graphs.Add(info.Algorithm);
            }
        }

        foreach (var graph in graphs)
        {
            foreach (var tensor in InGraph(graph))
            {
                yield return tensor;
            }
        }

        foreach (var function in model.Functions)
        {
            foreach (var tensor in function.AttributeProto.SelectMany(InAttribute).Concat(function.Node.SelectMany(n => n.Attribute.SelectMany(InAttribute))))
            {
                yield return tensor;
            }
        }
    }

    private static IEnumerable<TensorProto> InGraph(GraphProto graph)
    {
        foreach (var tensor in graph.Initializer)
        {
            yield return tensor;
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            foreach (var tensor in InSparse(sparse))
            {
                yield return tensor;
            }
        }

        foreach (var tensor in graph.Node.SelectMany(n => n.Attribute).SelectMany(InAttribute))
        {
            yield return tensor;
        }
    }

    private static IEnumerable<TensorProto> InAttribute(AttributeProto attribute)
    {
        if (attribute.T is not null)
        {
            yield return attribute.T;
        }

        foreach (var tensor in attribute.Tensors)
        {
            yield return tensor;
        }

        if (attribute.SparseTensor is not null)
        {
            foreach (var tensor in InSparse(attribute.SparseTensor))
            {
                yield return tensor;
            }
        }

        foreach (var tensor in attribute.SparseTensors.SelectMany(InSparse))
        {
            yield return tensor;
        }

        var graphs = attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);
        foreach (var tensor in graphs.SelectMany(InGraph))
        {
            yield return tensor;
        }
    }

    private static IEnumerable<TensorProto> InSparse(SparseTensorProto sparse)
    {
        if (sparse.Values is not null)
        {
            yield return sparse.Values;
        }

        if (sparse.Indices is not null)
        {
            yield return sparse.Indices;
        }
    }
}
