using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Static;

/// <summary>Rewrites the float graph into QDQ form from a <see cref="QdqPlan"/> and the calibrated activation
/// parameters: int8 weights (symmetric, per output channel when asked) and int32 biases behind DequantizeLinear, one
/// QuantizeLinear per activation and a dedicated DequantizeLinear per consumer (the shape ONNX Runtime's QDQ
/// selectors match to build QLinearConv, QLinearMatMul, QLinearAdd ...).</summary>
internal sealed class QdqRewriter
{
    private readonly ModelProto _model;
    private readonly QdqPlan _plan;
    private readonly IReadOnlyDictionary<string, QuantParams> _activations;
    private readonly bool _symmetric;
    private readonly bool _perChannel;
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly List<NodeProto> _prologue = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Scale, string ZeroPoint)> _qdqParams = new(StringComparer.Ordinal);

    public QdqRewriter(ModelProto model, QdqPlan plan, IReadOnlyDictionary<string, QuantParams> activations, bool symmetric, bool perChannel)
    {
        _model = model;
        _plan = plan;
        _activations = activations;
        _symmetric = symmetric;
        _perChannel = perChannel;
        _initializers = model.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            _names.UnionWith(node.Output);
            _names.Add(node.Name);
        }

        _names.UnionWith(_initializers.Keys);
        _names.UnionWith(model.Graph.Input.Select(i => i.Name));
    }

    /// <summary>Counts of quantized weights (per op type) for the notes.</summary>
    public Dictionary<string, int> QuantizedWeights { get; } = new(StringComparer.Ordinal);

    public void Apply()
    {
        var graph = _model.Graph;
        foreach (var (producer, relu) in _plan.ReluFusions)
        {
            producer.Output[0] = relu.Output[0];
            graph.Node.Remove(relu);
        }

        foreach (var node in _plan.Nodes.Where(n => StaticInt8Options.WeightedOps.Contains(n.OpType)))
        {
            QuantizeWeights(node);
        }

        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var quantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<NodeProto>(_prologue);
        foreach (var input in _plan.Tensors.Where(graphInputs.Contains))
        {
            result.Add(Quantize(input, input, quantized));
        }

        foreach (var node in graph.Node.ToList())
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (quantized.TryGetValue(node.Input[i], out var q))
                {
                    var dq = Unique(node.Input[i] + "_DequantizeLinear_Output");
                    result.Add(Dequantize(node.Input[i], q, dq));
                    node.Input[i] = dq;
                }
            }

            result.Add(node);
            foreach (var output in node.Output.Where(_plan.Tensors.Contains).ToList())
            {
                var source = output;
                if (graphOutputs.Contains(output))
                {
                    // The graph output keeps its name: the producer writes a renamed float tensor, a
                    // DequantizeLinear writes the output.
                    source = Unique(output + "_float");
                    node.Output[node.Output.IndexOf(output)] = source;
                }

                result.Add(Quantize(output, source, quantized));
                if (graphOutputs.Contains(output))
                {
                    result.Add(Dequantize(output, quantized[output], output));
                }
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(result);
        BatchNormFolding.RemoveUnused(graph);
        var produced = graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        foreach (var info in graph.ValueInfo.Where(v => !produced.Contains(v.Name)).ToList())
        {
            graph.ValueInfo.Remove(info);
        }
    }

    private QuantParams ParamsOf(string tensor)
    {
        var name = tensor;
        for (var depth = 0; _plan.Propagated.TryGetValue(name, out var source) && depth < 1000; depth++)
        {
            name = source;
        }

        return _activations[name];
    }

    private NodeProto Quantize(string tensor, string source, Dictionary<string, string> quantized)
    {
        var p = ParamsOf(tensor);
        var scale = AddInitializer(QdqTensors.Floats(Unique(tensor + "_scale"), [], [p.Scale]));
        var zeroPoint = AddInitializer(_symmetric
            ? QdqTensors.Int8(Unique(tensor + "_zero_point"), [], [(sbyte)p.ZeroPoint])
            : QdqTensors.UInt8(Unique(tensor + "_zero_point"), [], [(byte)p.ZeroPoint]));
        var output = Unique(tensor + "_QuantizeLinear_Output");
        quantized[tensor] = output;
        _qdqParams[output] = (scale, zeroPoint);
        return QdqNodes.Node("QuantizeLinear", Unique(tensor + "_QuantizeLinear"), [source, scale, zeroPoint], output);
    }

    private NodeProto Dequantize(string tensor, string quantizedName, string output)
    {
        var (scale, zeroPoint) = _qdqParams[quantizedName];
        return QdqNodes.Node("DequantizeLinear", Unique(tensor + "_DequantizeLinear"), [quantizedName, scale, zeroPoint], output);
    }

    private void QuantizeWeights(NodeProto node)
    {
        var weightName = node.Input[1];
        if (!_initializers.TryGetValue(weightName, out var weight))
        {
            return; // MatMul of two activations: both are quantized as activations.
        }

        var dims = weight.Dims.ToArray();
        var axis = node.OpType switch
        {
            "Conv" => 0,
            "Gemm" => OnnxAttributes.GetInt(node, "transB", 0) != 0 ? 0 : 1,
            _ => 1,
        };
        var values = QdqTensors.ReadFloats(weight);
        var channels = _perChannel ? (int)dims[axis] : 1;
        var scales = WeightScales(values, dims, axis, channels);
        var q = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var c = channels == 1 ? 0 : ChannelOf(i, dims, axis);
            q[i] = (sbyte)Math.Clamp(Math.Round(values[i] / scales[c], MidpointRounding.ToEven), -127, 127);
        }

        long[] paramDims = channels == 1 ? [] : [channels];
        var qName = AddInitializer(QdqTensors.Int8(Unique(weightName + "_quantized"), dims, q));
        var scaleName = AddInitializer(QdqTensors.Floats(Unique(weightName + "_scale"), paramDims, scales));
        var zpName = AddInitializer(QdqTensors.Int8(Unique(weightName + "_zero_point"), paramDims, new sbyte[channels]));
        var dqOutput = Unique(weightName + "_DequantizeLinear_Output");
        var dq = QdqNodes.Node("DequantizeLinear", Unique(weightName + "_DequantizeLinear"), [qName, scaleName, zpName], dqOutput);
        if (channels > 1)
        {
            dq.Attribute.Add(QdqNodes.Int("axis", axis));
        }

        _prologue.Add(dq);
        node.Input[1] = dqOutput;
        QuantizedWeights[node.OpType] = QuantizedWeights.GetValueOrDefault(node.OpType) + 1;

        // Bias: int32 with scale = input scale × weight scale and zero point 0, the form QLinearConv/QGemm take.
        var outputChannels = node.OpType == "Conv" ? (int)dims[0] : (int)dims[axis];
        if (node.OpType is "Conv" or "Gemm" && node.Input.Count > 2 && _initializers.TryGetValue(node.Input[2], out var biasTensor)
            && biasTensor.DataType == (int)TensorProto.Types.DataType.Float && biasTensor.Dims.Count == 1 && biasTensor.Dims[0] == outputChannels
            && (node.OpType == "Conv" || (OnnxAttributes.GetFloat(node, "beta", 1f) == 1f && OnnxAttributes.GetFloat(node, "alpha", 1f) == 1f)))
        {
            var inputScale = ParamsOf(node.Input[0]).Scale;
            var bias = QdqTensors.ReadFloats(biasTensor);
            var biasScales = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                biasScales[c] = inputScale * scales[c];
            }

            var qb = new int[bias.Length];
            for (var c = 0; c < bias.Length; c++)
            {
                var s = biasScales[channels == 1 ? 0 : c];
                qb[c] = (int)Math.Clamp(Math.Round(bias[c] / s, MidpointRounding.ToEven), int.MinValue, int.MaxValue);
            }

            var biasName = node.Input[2];
            var qbName = AddInitializer(QdqTensors.Int32(Unique(biasName + "_quantized"), [bias.Length], qb));
            var bsName = AddInitializer(QdqTensors.Floats(Unique(biasName + "_scale"), paramDims, biasScales));
            var bzName = AddInitializer(QdqTensors.Int32(Unique(biasName + "_zero_point"), paramDims, new int[channels]));
            var bOutput = Unique(biasName + "_DequantizeLinear_Output");
            var bdq = QdqNodes.Node("DequantizeLinear", Unique(biasName + "_DequantizeLinear"), [qbName, bsName, bzName], bOutput);
            if (channels > 1)
            {
                bdq.Attribute.Add(QdqNodes.Int("axis", 0));
            }

            _prologue.Add(bdq);
            node.Input[2] = bOutput;
        }
    }

    private static float[] WeightScales(float[] values, long[] dims, int axis, int channels)
    {
        var absMax = new float[channels];
        for (var i = 0; i < values.Length; i++)
        {
            var c = channels == 1 ? 0 : ChannelOf(i, dims, axis);
            absMax[c] = Math.Max(absMax[c], Math.Abs(values[i]));
        }

        return absMax.Select(a => a > 0 ? a / 127f : 1f).ToArray();
    }

    private static int ChannelOf(int index, long[] dims, int axis)
    {
        long inner = 1;
        for (var d = axis + 1; d < dims.Length; d++)
        {
            inner *= dims[d];
        }

        return (int)(index / inner % dims[axis]);
    }

    private string AddInitializer(TensorProto tensor)
    {
        _model.Graph.Initializer.Add(tensor);
        _initializers[tensor.Name] = tensor;
        return tensor.Name;
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (var i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}
