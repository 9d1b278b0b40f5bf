using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>Writes small, valid ONNX models: a fluent list of inputs, outputs, initializers and nodes.</summary>
/// <remarks>
/// Defaults: IR version 8, default-domain opset 13, producer "maas", graph "maas". A <c>-1</c> in an input or
/// output shape is written as a symbolic dimension named after the value (<c>x_d0</c>), so unrelated variable
/// dimensions are not tied together. The whole model is built in memory, which suits test and tooling models,
/// not multi-gigabyte weights.
/// </remarks>
public sealed class OnnxModelBuilder
{
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal) { [string.Empty] = 13 };
    private readonly ProtoWriter _nodes = new();
    private readonly ProtoWriter _initializers = new();
    private readonly ProtoWriter _inputs = new();
    private readonly ProtoWriter _outputs = new();
    private long _irVersion = 8;
    private string _producerName = "maas";
    private string? _producerVersion;
    private string _graphName = "maas";
    private int _nodeCount;

    public OnnxModelBuilder WithIrVersion(long irVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(irVersion);
        _irVersion = irVersion;
        return this;
    }

    /// <summary>Sets the opset version imported for <paramref name="domain"/> (empty or <c>ai.onnx</c>: the default domain).</summary>
    public OnnxModelBuilder WithOpset(long version, string domain = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ArgumentNullException.ThrowIfNull(domain);
        _opsets[domain == OnnxModelReader.DefaultDomain ? string.Empty : domain] = version;
        return this;
    }

    public OnnxModelBuilder WithProducer(string name, string? version = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _producerName = name;
        _producerVersion = version;
        return this;
    }

    public OnnxModelBuilder WithGraphName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _graphName = name;
        return this;
    }

    /// <summary>Declares a graph input; <c>-1</c> in <paramref name="shape"/> marks a variable dimension.</summary>
    public OnnxModelBuilder AddInput(string name, TensorDataType dataType, long[] shape)
    {
        WriteValueInfo(_inputs, OnnxFields.GraphInput, name, dataType, shape);
        return this;
    }

    /// <summary>Declares a graph output; <c>-1</c> in <paramref name="shape"/> marks a variable dimension.</summary>
    public OnnxModelBuilder AddOutput(string name, TensorDataType dataType, long[] shape)
    {
        WriteValueInfo(_outputs, OnnxFields.GraphOutput, name, dataType, shape);
        return this;
    }

    /// <summary>Adds a constant tensor; <paramref name="values"/> is a typed array (<c>float[]</c>, <c>Half[]</c>, <c>byte[][]</c> or <c>string[]</c> for BYTES ...).</summary>
    public OnnxModelBuilder AddInitializer(string name, TensorDataType dataType, long[] dims, Array values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(values);
        if (!OnnxTensorEncoder.Fits(dataType, values))
        {
            throw new ArgumentException($"Initializer '{name}' is {dataType.ToProtocolName()} but the values are {values.GetType()}.", nameof(values));
        }

        var count = Tensor.CountElements(dims);
        if (values.Length != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} elements by its dims but {values.Length} values.", nameof(values));
        }

        _initializers.WriteMessage(OnnxFields.GraphInitializer, w => OnnxTensorEncoder.Write(w, name, dataType, dims, values));
        return this;
    }

    /// <summary>Adds a node of the default domain; an empty string in <paramref name="inputs"/> marks an omitted optional input.</summary>
    public OnnxModelBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);

        // A name per node makes runtime error messages point at the right node.
        var nodeName = $"{opType}_{_nodeCount++}";
        _nodes.WriteMessage(OnnxFields.GraphNode, node =>
        {
            foreach (var input in inputs)
            {
                node.WriteString(OnnxFields.NodeInput, input);
            }

            foreach (var output in outputs)
            {
                node.WriteString(OnnxFields.NodeOutput, output);
            }

            node.WriteString(OnnxFields.NodeName, nodeName);
            node.WriteString(OnnxFields.NodeOpType, opType);
            foreach (var attribute in attributes)
            {
                node.WriteMessage(OnnxFields.NodeAttribute, attribute.WriteTo);
            }
        });
        return this;
    }

    /// <summary>The model as ONNX protobuf bytes; can be called again after more additions.</summary>
    public byte[] ToBytes()
    {
        var model = new ProtoWriter();
        model.WriteVarint(OnnxFields.ModelIrVersion, _irVersion);
        model.WriteString(OnnxFields.ModelProducerName, _producerName);
        if (_producerVersion is not null)
        {
            model.WriteString(OnnxFields.ModelProducerVersion, _producerVersion);
        }

        model.WriteMessage(OnnxFields.ModelGraph, graph =>
        {
            graph.WriteEncoded(_nodes);
            graph.WriteString(OnnxFields.GraphName, _graphName);
            graph.WriteEncoded(_initializers);
            graph.WriteEncoded(_inputs);
            graph.WriteEncoded(_outputs);
        });

        foreach (var (domain, version) in _opsets)
        {
            model.WriteMessage(OnnxFields.ModelOpsetImport, opset =>
            {
                opset.WriteString(OnnxFields.OpsetDomain, domain);
                opset.WriteVarint(OnnxFields.OpsetVersion, version);
            });
        }

        return model.ToArray();
    }

    /// <summary>Writes the model to <paramref name="path"/>, replacing any file there.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes());
    }

    private static void WriteValueInfo(ProtoWriter writer, int field, string name, TensorDataType dataType, long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (!Enum.IsDefined(dataType))
        {
            throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Not a tensor data type.");
        }

        if (Array.Exists(shape, d => d < -1))
        {
            throw new ArgumentException($"'{name}' has a dimension below -1; use -1 for a variable dimension.", nameof(shape));
        }

        writer.WriteMessage(field, valueInfo =>
        {
            valueInfo.WriteString(OnnxFields.ValueInfoName, name);
            valueInfo.WriteMessage(OnnxFields.ValueInfoType, type => type.WriteMessage(OnnxFields.TypeTensorType, tensor =>
            {
                tensor.WriteVarint(OnnxFields.TensorTypeElemType, OnnxElementTypes.ToOnnx(dataType));
                tensor.WriteMessage(OnnxFields.TensorTypeShape, shapeWriter =>
                {
                    for (var i = 0; i < shape.Length; i++)
                    {
                        var dim = shape[i];
                        shapeWriter.WriteMessage(OnnxFields.ShapeDim, d =>
                        {
                            if (dim >= 0)
                            {
                                d.WriteVarint(OnnxFields.DimValue, dim);
                            }
                            else
                            {
                                d.WriteString(OnnxFields.DimParam, $"{name}_d{i}");
                            }
                        });
                    }
                });
            }));
        });
    }
}
