using Maas.Core.Models;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Evaluation;

/// <summary>Which of a version's files the engine loads (the model file and, for ONNX, the external data files its
/// tensors point at), as opposed to files carried beside it (vocabulary, samples).</summary>
internal static class ModelArtifacts
{
    /// <summary>The logical names of the files that make up the model: the model file plus its external data.</summary>
    public static IReadOnlySet<string> ModelFiles(ModelManifest manifest, string modelPath)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { manifest.ModelFile };
        if (manifest.Format == ModelFormats.Onnx)
        {
            names.UnionWith(ExternalDataLocations(modelPath));
        }

        return names;
    }

    /// <summary>The <c>location</c>s of all tensors stored as external data, in the main graph, subgraphs and functions.</summary>
    public static IReadOnlySet<string> ExternalDataLocations(string onnxPath)
    {
        var locations = new HashSet<string>(StringComparer.Ordinal);
        ModelProto model;
        using (var stream = File.OpenRead(onnxPath))
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }

        Visit(model.Graph, locations);
        foreach (var function in model.Functions)
        {
            foreach (var node in function.Node)
            {
                VisitNode(node, locations);
            }
        }

        return locations;
    }

    private static void Visit(GraphProto? graph, HashSet<string> locations)
    {
        if (graph is null)
        {
            return;
        }

        foreach (var tensor in graph.Initializer)
        {
            AddTensor(tensor, locations);
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            AddTensor(sparse.Values, locations);
            AddTensor(sparse.Indices, locations);
        }

        foreach (var node in graph.Node)
        {
            VisitNode(node, locations);
        }
    }

    private static void VisitNode(NodeProto node, HashSet<string> locations)
    {
        foreach (var attribute in node.Attribute)
        {
            AddTensor(attribute.T, locations);
            foreach (var tensor in attribute.Tensors)
            {
                AddTensor(tensor, locations);
            }

            Visit(attribute.G, locations);
            foreach (var graph in attribute.Graphs)
            {
                Visit(graph, locations);
            }
        }
    }

    private static void AddTensor(TensorProto? tensor, HashSet<string> locations)
    {
        if (tensor is null || tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return;
        }

        foreach (var entry in tensor.ExternalData)
        {
            if (entry.Key == "location" && !string.IsNullOrEmpty(entry.Value))
            {
                locations.Add(entry.Value);
            }
        }
    }
}
