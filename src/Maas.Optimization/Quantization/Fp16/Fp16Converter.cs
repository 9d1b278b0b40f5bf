using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.Optimization.Quantization.Fp16;

/// <summary>Converts a model's float32 computation to float16: initializers, constants, Cast targets and declared
/// types, with casts where float32 must stay (graph inputs/outputs when kept, blocked operators, and inputs whose
/// schema only takes float32: Resize's roi and scales, Upsample's scales).</summary>
/// <remarks>
/// Constants (initializers, Constant nodes) are converted only when every reader wants float16; otherwise they stay
/// float32 and the float16 readers go through a Cast. Constant values beyond float16's range are saturated to
/// ±65504 rather than becoming infinities (masks written as float32's lowest value). ONNX Runtime's CPU provider has
/// float16 kernels for few operators and runs the others in float32 behind casts it inserts itself, so the result is
/// usually slower on a CPU; it is half the size, and fast where float16 kernels exist (GPUs).
/// </remarks>
internal static class Fp16Converter
{
    private const int Float = (int)DataType.Float;
    private const int Half16 = (int)DataType.Float16;

    private static readonly HashSet<string> AlwaysBlocked = new(StringComparer.Ordinal)
    {
        "Range", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "RandomNormal", "RandomUniform",
        "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "EyeLike", "If", "Loop", "Scan",
    };

    public static IReadOnlyList<string> Apply(ModelProto model, Fp16Options options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new OnnxGraph(model);
        var types = OnnxTypeInference.Infer(graph);
        bool IsFloat(string value) => value.Length > 0 && types.GetValueOrDefault(value) == Float;
        bool Blocked(NodeProto n) =>
            !OnnxGraph.IsDefaultDomain(n) || AlwaysBlocked.Contains(n.OpType) || options.OpBlockList.Contains(n.OpType, StringComparer.Ordinal)
            || options.Exclude.Contains(n.Name, StringComparer.Ordinal) || n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0);

        var constants = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var tensor in graph.Graph.Initializer.Where(t => t.DataType == Float && graph.TryGetConstant(t.Name, out _)))
        {
            constants[tensor.Name] = [];
        }

        foreach (var node in graph.Graph.Node.Where(n => n.OpType == "Constant" && OnnxGraph.IsDefaultDomain(n)))
        {
            if (graph.TryGetConstant(node.Output[0], out var value) && value.DataType == Float)
            {
                constants[node.Output[0]] = [];
            }
        }

        // What each reader wants: float32 for blocked operators and float32-only inputs, float16 otherwise.
        var wants = new List<(NodeProto Node, int Slot, int Type)>();
        foreach (var node in graph.Graph.Node)
        {
            for (var slot = 0; slot < node.Input.Count; slot++)
            {
                if (IsFloat(node.Input[slot]))
                {
                    var type = Blocked(node) || NeedsFloat32(node, slot) ? Float : Half16;
                    wants.Add((node, slot, type));
                    constants.GetValueOrDefault(node.Input[slot])?.Add(type);
                }
            }
        }

        if (wants.Count(w => w.Type == Half16) == 0)
        {
            throw MaasException.InvalidArgument($"Nothing to convert with '{Fp16Options.Method}': no float32 computation outside blocked operators.");
        }

        // Where each float value lives after conversion.
        var current = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in graph.Graph.Input.Where(i => IsFloat(i.Name) && !constants.ContainsKey(i.Name)))
        {
            current[input.Name] = options.KeepIoTypes ? Float : Half16;
        }

        var converted = 0;
        foreach (var (name, readers) in constants)
        {
            var toHalf = readers.Count > 0 && readers.All(t => t == Half16);
            current[name] = toHalf ? Half16 : Float;
            if (toHalf)
            {
                ConvertConstant(graph, name);
                converted++;
            }
        }

        foreach (var node in graph.Graph.Node.Where(n => !constants.ContainsKey(n.Output.FirstOrDefault() ?? string.Empty)))
        {
            var blocked = Blocked(node);
            foreach (var output in node.Output.Where(IsFloat))
            {
                current[output] = blocked ? Float : Half16;
            }

            if (!blocked)
            {
                RetargetFloatAttributes(node);
            }
        }

        // Casts where a reader wants the other precision (one per value and precision, before its first reader).
        var casts = new Dictionary<(string, int), string>();
        foreach (var (node, slot, type) in wants)
        {
            var value = node.Input[slot];
            if (current.GetValueOrDefault(value, type) == type)
            {
                continue;
            }

            if (!casts.TryGetValue((value, type), out var cast))
            {
                cast = graph.UniqueName(value + (type == Half16 ? "_fp16" : "_fp32"));
                graph.InsertBefore(node, graph.NewNode("Cast", [value], [cast], value + "_Cast").WithInt("to", type));
                casts[(value, type)] = cast;
            }

            node.Input[slot] = cast;
        }

        graph.Commit();
        var boundary = ConvertOutputs(graph, current, options.KeepIoTypes);
        UpdateDeclaredTypes(graph.Graph, current, options.KeepIoTypes);
        return
        [
            $"Converted {converted} float32 constant(s) and the float32 computation to float16; {casts.Count + boundary} Cast node(s) at float32 boundaries" +
            (options.KeepIoTypes ? " (inputs and outputs stay float32)." : "."),
        ];
    }

    /// <summary>Inputs whose schema admits float32 only, whatever the data type.</summary>
    private static bool NeedsFloat32(NodeProto node, int slot) => (node.OpType, slot) is ("Resize", 1) or ("Resize", 2) or ("Upsample", 1);

    private static void ConvertConstant(OnnxGraph graph, string name)
    {
        var tensor = graph.Initializer(name) ?? graph.Producer(name)!.Attribute.First(a => a.Name == "value").T;
        var values = OnnxTensorData.ToFloats(tensor);
        var halves = Array.ConvertAll(values, v => (Half)Math.Clamp(v, -65504f, 65504f));
        var replacement = OnnxTensorData.FromHalves(tensor.Name.Length > 0 ? tensor.Name : name, [.. tensor.Dims], halves);
        tensor.ClearRawData();
        tensor.FloatData.Clear();
        tensor.DataType = Half16;
        tensor.RawData = replacement.RawData;
    }

    private static void RetargetFloatAttributes(NodeProto node)
    {
        if (node.OpType == "Cast" && OnnxAttributes.Find(node, "to") is { I: Float } to)
        {
            to.I = Half16;
        }
        else if (node.OpType == "ConstantOfShape" && OnnxAttributes.Find(node, "value")?.T is { DataType: Float } value)
        {
            var halves = Array.ConvertAll(OnnxTensorData.ToFloats(value), v => (Half)Math.Clamp(v, -65504f, 65504f));
            value.FloatData.Clear();
            value.DataType = Half16;
            value.RawData = OnnxTensorData.FromHalves("value", [.. value.Dims], halves).RawData;
        }
    }

    /// <summary>Graph outputs in float32 when asked: the producer writes a float16 value, a Cast restores the name.</summary>
    private static int ConvertOutputs(OnnxGraph graph, Dictionary<string, int> current, bool keepIoTypes)
    {
        var count = 0;
        foreach (var output in graph.Graph.Output)
        {
            var wanted = keepIoTypes ? Float : Half16;
            if (!current.TryGetValue(output.Name, out var type) || type == wanted || graph.Producer(output.Name) is not { } producer)
            {
                continue;
            }

            var inner = graph.UniqueName(output.Name + (type == Half16 ? "_fp16" : "_fp32"));
            for (var i = 0; i < producer.Output.Count; i++)
            {
                if (producer.Output[i] == output.Name)
                {
                    producer.Output[i] = inner;
                }
            }

            foreach (var node in graph.Graph.Node)
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == output.Name)
                    {
                        node.Input[i] = inner;
                    }
                }
            }

            current[inner] = type;
            current[output.Name] = wanted;
            graph.Graph.Node.Add(graph.NewNode("Cast", [inner], [output.Name], output.Name + "_Cast").WithInt("to", wanted));
            count++;
        }

        return count;
    }

    private static void UpdateDeclaredTypes(GraphProto graph, Dictionary<string, int> current, bool keepIoTypes)
    {
        var infos = graph.ValueInfo.AsEnumerable();
        if (!keepIoTypes)
        {
            infos = infos.Concat(graph.Input).Concat(graph.Output);
        }

        foreach (var info in infos)
        {
            if (info.Type?.TensorType is { } tensor && tensor.ElemType is Float or Half16 && current.TryGetValue(info.Name, out var type))
            {
                tensor.ElemType = type;
            }
        }
    }
}
