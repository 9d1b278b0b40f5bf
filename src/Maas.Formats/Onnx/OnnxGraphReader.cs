using Maas.Core.Tensors;

namespace Maas.Formats.Onnx;

/// <summary>Collects what a <c>GraphProto</c> declares, skipping node bodies and weights by seeking.</summary>
internal sealed class OnnxGraphReader
{
    /// <summary>A bound on declared inputs/outputs so a crafted file cannot make the reader allocate without end.</summary>
    internal const int MaxValues = 1 << 16;

    private readonly List<TensorSpec> _inputs = [];
    private readonly List<TensorSpec> _outputs = [];
    private readonly HashSet<string> _initializerNames = new(StringComparer.Ordinal);

    public string? Name { get; private set; }

    public int NodeCount { get; private set; }

    public int InitializerCount { get; private set; }

    public IReadOnlyList<TensorSpec> Outputs => _outputs;

    /// <summary>Inputs that are not initializers: what a caller must actually feed.</summary>
    public IReadOnlyList<TensorSpec> RealInputs() => _inputs.Where(i => !_initializerNames.Contains(i.Name)).ToList();

    public void Read(ProtoReader reader, long end)
    {
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.GraphNode:
                    reader.SkipTo(reader.ReadLengthDelimited(wireType, end, "GraphProto.node"), end);
                    NodeCount++;
                    break;
                case OnnxFields.GraphName:
                    Name = reader.ReadString(wireType, end, "GraphProto.name");
                    break;
                case OnnxFields.GraphInitializer:
                    ReadInitializer(reader, reader.ReadLengthDelimited(wireType, end, "GraphProto.initializer"));
                    break;
                case OnnxFields.GraphInput:
                    Add(_inputs, OnnxValueInfoReader.Read(reader, reader.ReadLengthDelimited(wireType, end, "GraphProto.input"), "input"));
                    break;
                case OnnxFields.GraphOutput:
                    Add(_outputs, OnnxValueInfoReader.Read(reader, reader.ReadLengthDelimited(wireType, end, "GraphProto.output"), "output"));
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }
    }

    private void ReadInitializer(ProtoReader reader, long end)
    {
        InitializerCount++;
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            if (field == OnnxFields.TensorName)
            {
                _initializerNames.Add(reader.ReadString(wireType, end, "TensorProto.name"));
            }
            else
            {
                // raw_data and the typed data arrays hold the weights: seek over them.
                reader.Skip(wireType, end);
            }
        }
    }

    private static void Add(List<TensorSpec> values, TensorSpec spec)
    {
        if (values.Count >= MaxValues)
        {
            throw new InvalidDataException($"Not a valid ONNX model: the graph declares more than {MaxValues} inputs or outputs.");
        }

        values.Add(spec);
    }
}
