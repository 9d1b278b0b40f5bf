namespace Maas.Formats.Onnx;

/// <summary>Reads an ONNX model's header and signature without loading its weights.</summary>
/// <remarks>
/// The file is streamed: weights and node bodies are skipped by seeking, so reading a model costs a few small
/// reads however large it is. Inputs that are also initializers (old IR versions list every weight as an input)
/// are left out. A dimension with a <c>dim_param</c> or no value reads as <c>-1</c>; a tensor whose shape is not
/// declared at all reads with an empty shape.
/// </remarks>
public static class OnnxModelReader
{
    /// <summary>The default operator set's domain, which the file spells as an empty string.</summary>
    public const string DefaultDomain = "ai.onnx";

    // Small on purpose: after each seek the stream refills its buffer, and most reads after a seek are a few bytes.
    private const int FileBufferSize = 4096;

    /// <summary>Reads the model file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model (message says why).</exception>
    public static OnnxModelInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize);
        return Read(stream);
    }

    /// <summary>Reads a model from a seekable stream, from its current position to its end.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid ONNX model (message says why).</exception>
    /// <exception cref="ArgumentException">The stream cannot seek; skipping weights needs seeking.</exception>
    public static OnnxModelInfo Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ProtoReader(stream);
        if (reader.Position >= reader.Length)
        {
            throw new InvalidDataException("Not a valid ONNX model: the file is empty.");
        }

        return ReadModel(reader, reader.Length);
    }

    private static OnnxModelInfo ReadModel(ProtoReader reader, long end)
    {
        long irVersion = 0;
        string? producerName = null;
        string? producerVersion = null;
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var graph = new OnnxGraphReader();
        var hasGraph = false;

        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.ModelIrVersion:
                    irVersion = reader.ReadInt64(wireType, "ModelProto.ir_version");
                    break;
                case OnnxFields.ModelProducerName:
                    producerName = reader.ReadString(wireType, end, "ModelProto.producer_name");
                    break;
                case OnnxFields.ModelProducerVersion:
                    producerVersion = reader.ReadString(wireType, end, "ModelProto.producer_version");
                    break;
                case OnnxFields.ModelGraph:
                    // Protobuf merges a repeated embedded message, so a second graph field adds to the first.
                    graph.Read(reader, reader.ReadLengthDelimited(wireType, end, "ModelProto.graph"));
                    hasGraph = true;
                    break;
                case OnnxFields.ModelOpsetImport:
                    ReadOpset(reader, reader.ReadLengthDelimited(wireType, end, "ModelProto.opset_import"), opsets);
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }

        if (!hasGraph)
        {
            throw new InvalidDataException("Not a valid ONNX model: it has no graph (ModelProto field 7).");
        }

        return new OnnxModelInfo(
            graph.RealInputs(),
            graph.Outputs,
            irVersion,
            opsets,
            producerName,
            producerVersion,
            graph.Name,
            graph.NodeCount,
            graph.InitializerCount);
    }

    private static void ReadOpset(ProtoReader reader, long end, Dictionary<string, long> opsets)
    {
        var domain = string.Empty;
        long version = 0;
        while (reader.TryReadTag(end, out var field, out var wireType))
        {
            switch (field)
            {
                case OnnxFields.OpsetDomain:
                    domain = reader.ReadString(wireType, end, "OperatorSetIdProto.domain");
                    break;
                case OnnxFields.OpsetVersion:
                    version = reader.ReadInt64(wireType, "OperatorSetIdProto.version");
                    break;
                default:
                    reader.Skip(wireType, end);
                    break;
            }
        }

        opsets[domain.Length == 0 ? DefaultDomain : domain] = version;
    }
}
