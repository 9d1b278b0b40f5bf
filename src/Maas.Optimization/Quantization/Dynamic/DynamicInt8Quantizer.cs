using System.Globalization;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Smoothing;
using DataType = Maas.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary>Rewrites a model the way <c>torch.quantization.quantize_dynamic</c> treats <c>nn.Linear</c>: constant
/// weights become int8, activations are quantized to uint8 when the model runs.</summary>
/// <remarks>
/// Each MatMul/Gemm with a constant 2-D float weight becomes
/// <c>DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q, A_zp, 0) → Cast(float) → Mul(·, Mul(A_scale, W_scale))</c>
/// (→ <c>Add</c> of a Gemm's bias), standard operators only. ONNX Runtime fuses this pattern into
/// <c>MatMulIntegerToFloat</c> (and, where the activation has one consumer, <c>DynamicQuantizeMatMul</c>); the
/// <c>Mul(A_scale, W_scale)</c> node and the order of its inputs are what its fusion looks for. One
/// <c>DynamicQuantizeLinear</c> serves every consumer of an activation (a transformer's Q, K and V projections).
/// A following <c>Add(bias, y)</c> is turned into <c>Add(y, bias)</c> so the bias folds into the fused node too.
/// Embedding tables (constant float 2-D data of <c>Gather</c> on axis 0) become int8 with one scale per row,
/// dequantized after the gather. Weight-only nodes (<see cref="WeightOnlyRule"/>, or named in <c>weight_only</c>)
/// keep a float activation: their weight is stored as int8 with per-output-channel scales and dequantized by
/// <c>Cast(float) → Mul(scale)</c> in front of the unchanged float MatMul/Gemm. Both inputs of that pair are
/// initializers, so ONNX Runtime's constant folding turns it back into a float weight when the session loads: the
/// file keeps the int8 bytes, memory and speed are those of the float node. Only the main graph is rewritten.
/// </remarks>
internal static class DynamicInt8Quantizer
{
    private const long RequiredOpset = 11;

    /// <summary>Values along K that share one scale in a weight-only weight (per output channel).</summary>
    public const int WeightOnlyBlock = 16;

    /// <summary>The activations whose channel ranges <see cref="Apply"/> needs for smoothing (none when
    /// <see cref="DynamicInt8Options.Smooth"/> is <c>none</c>).</summary>
    public static IReadOnlyList<string> SmoothingActivations(ModelProto model, DynamicInt8Options options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.NeedsCalibration)
        {
            return [];
        }

        var graph = new OnnxGraph(model);
        var selection = Select(graph, options);
        var (decompose, smooth) = CalibratedTargets(graph, selection, options);
        return [.. decompose.Concat(smooth).Select(n => n.Input[0]).Distinct(StringComparer.Ordinal)];
    }

    /// <param name="model">The model, rewritten in place.</param>
    /// <param name="options">The pass's options.</param>
    /// <param name="channelMax">Per activation, max |x| of each channel over the calibration inputs (from
    /// <see cref="SmoothingActivations"/>); required when smoothing is on.</param>
    public static IReadOnlyList<string> Apply(ModelProto model, DynamicInt8Options options, IReadOnlyDictionary<string, float[]>? channelMax = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new OnnxGraph(model);
        var selection = Select(graph, options);
        var (linear, weightOnly, embeddings, notes) = selection;
        if (linear.Count == 0 && weightOnly.Count == 0)
        {
            throw MaasException.InvalidArgument(
                $"Nothing to quantize with '{DynamicInt8Options.Method}': no {string.Join("/", options.OpTypes)} node with a constant 2-D float weight" +
                (options.Exclude.Count > 0 ? " outside the excluded nodes." : "."));
        }

        if (linear.Count > 0 && OnnxOpsets.RaiseDefault(model, RequiredOpset, "DynamicQuantizeLinear"))
        {
            notes.Add($"Raised the default opset to {RequiredOpset} for DynamicQuantizeLinear (every operator in the graph keeps its meaning).");
        }

        if (options.NeedsCalibration && channelMax is null)
        {
            if (options.CalibrationRequired)
            {
                throw new InvalidOperationException("Decomposition and smoothing need the calibrated channel ranges of SmoothingActivations.");
            }

            notes.Add("No calibration inputs: outlier decomposition and smoothing skipped (every activation quantized per tensor as it is).");
        }
        else if (options.NeedsCalibration)
        {
            var (decomposeTargets, smoothTargets) = CalibratedTargets(graph, selection, options);
            var decomposed = OutlierDecomposition.Apply(graph, decomposeTargets, channelMax!, options.OutlierThreshold, options.MaxOutliers);
            if (options.DecomposeEnabled)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"Outlier channels (calibrated max |x| over {options.OutlierThreshold}× the median channel's) multiplied in float for {decomposed.Count} activation(s): {string.Join("; ", decomposed)}."));
            }

            var smoothed = ActivationSmoothing.Apply(graph, smoothTargets, channelMax!, options.SmoothAlpha);
            if (options.SmoothEnabled)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"Smoothed {smoothed.Count} activation(s) (SmoothQuant-style per-channel scaling, alpha {options.SmoothAlpha}): {string.Join(", ", smoothed)}."));
            }
        }

        var rewriter = new Rewriter(graph, options);
        foreach (var node in linear)
        {
            rewriter.QuantizeLinear(node);
        }

        foreach (var node in weightOnly)
        {
            rewriter.QuantizeWeightOnly(node);
        }

        foreach (var node in embeddings)
        {
            rewriter.QuantizeEmbedding(node);
        }

        graph.Commit();
        notes.Insert(0, $"Quantized {linear.Count} {string.Join("/", options.OpTypes)} node(s) to int8 weights ({(options.PerChannel ? "per output channel" : "per tensor")} scales)" +
            (embeddings.Count > 0 ? $" and {embeddings.Count} embedding table(s) to int8 rows." : "."));
        if (weightOnly.Count > 0)
        {
            notes.Insert(1, $"Stored the weights of {weightOnly.Count} node(s) as int8 with float activations (weight-only: {string.Join(", ", weightOnly.Select(n => n.Name))}).");
        }

        return notes;
    }

    private static Selection Select(OnnxGraph graph, DynamicInt8Options options)
    {
        var notes = new List<string>();
        var linear = new List<NodeProto>();
        var weightOnly = new List<NodeProto>();
        var embeddings = new List<NodeProto>();
        foreach (var node in graph.Graph.Node)
        {
            if (!OnnxGraph.IsDefaultDomain(node) || options.Exclude.Contains(node.Name, StringComparer.Ordinal))
            {
                continue;
            }

            if (options.OpTypes.Contains(node.OpType, StringComparer.Ordinal) && IsQuantizableLinear(graph, node, notes))
            {
                var keepActivation = options.WeightOnly.Contains(node.Name, StringComparer.Ordinal)
                    || (options.WeightOnlyAuto && WeightOnlyRule.Matches(graph, node));
                (keepActivation ? weightOnly : linear).Add(node);
            }
            else if (node.OpType == "Gather" && options.Int8Embeddings && IsEmbedding(graph, node))
            {
                embeddings.Add(node);
            }
        }

        var missing = options.WeightOnly.Where(n => !weightOnly.Any(w => w.Name == n)).ToList();
        if (missing.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"'{DynamicInt8Options.Method}' option 'weight_only' names {string.Join(", ", missing)}: no quantizable, non-excluded {string.Join("/", options.OpTypes)} node has that name.");
        }

        return new Selection(linear, weightOnly, embeddings, notes) { OpTypes = options.OpTypes };
    }

    /// <summary>The nodes to decompose and to smooth. <c>auto</c> decomposes the nodes <see cref="WeightOnlyRule"/>
    /// picks and smooths every other fully quantized node.</summary>
    private static (List<NodeProto> Decompose, List<NodeProto> Smooth) CalibratedTargets(OnnxGraph graph, Selection selection, DynamicInt8Options options)
    {
        var decompose = Targets(graph, selection, options.Decompose, options.DecomposeNodes, "decompose");
        var smooth = options.Smooth == DynamicInt8Options.Auto
            ? [.. selection.Linear.Where(n => !decompose.Contains(n))]
            : Targets(graph, selection, options.Smooth, options.SmoothNodes, "smooth");
        return (decompose, smooth);
    }

    /// <summary>The fully quantized nodes a selection option picks: by <see cref="WeightOnlyRule"/> (<c>auto</c>), all,
    /// or by name.</summary>
    private static List<NodeProto> Targets(OnnxGraph graph, Selection selection, string mode, IReadOnlyList<string> names, string key)
    {
        var targets = mode switch
        {
            DynamicInt8Options.All => selection.Linear,
            DynamicInt8Options.Auto => [.. selection.Linear.Where(n => WeightOnlyRule.Matches(graph, n))],
            DynamicInt8Options.Names => [.. selection.Linear.Where(n => names.Contains(n.Name, StringComparer.Ordinal))],
            _ => [],
        };
        var missing = names.Where(n => !targets.Any(t => t.Name == n)).ToList();
        if (missing.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"'{DynamicInt8Options.Method}' option '{key}' names {string.Join(", ", missing)}: no fully quantized (not weight-only, not excluded) {string.Join("/", selection.OpTypes)} node has that name.");
        }

        return targets;
    }

    private static bool IsQuantizableLinear(OnnxGraph graph, NodeProto node, List<string> notes)
    {
        if (node.Input.Count < 2 || !graph.TryGetConstant(node.Input[1], out var weight)
            || weight.DataType != (int)DataType.Float || weight.Dims.Count != 2)
        {
            return false;
        }

        var activationType = graph.ElementType(node.Input[0]);
        if (activationType != 0 && activationType != (int)DataType.Float)
        {
            return false;
        }

        if (node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transA", 0) != 0)
        {
            notes.Add($"Left Gemm '{node.Name}' in float: transA=1 is not supported.");
            return false;
        }

        return node.OpType is "MatMul" or "Gemm";
    }

    private static bool IsEmbedding(OnnxGraph graph, NodeProto node) =>
        node.Input.Count == 2
        && OnnxAttributes.GetInt(node, "axis", 0) == 0
        && graph.TryGetConstant(node.Input[0], out var table)
        && table.DataType == (int)DataType.Float
        && table.Dims.Count == 2;

    private sealed record Selection(List<NodeProto> Linear, List<NodeProto> WeightOnly, List<NodeProto> Embeddings, List<string> Notes)
    {
        public IReadOnlyList<string> OpTypes { get; init; } = [];
    }

    private sealed class Rewriter(OnnxGraph graph, DynamicInt8Options options)
    {
        private readonly Dictionary<string, (string Q, string Scale, string ZeroPoint)> _activations = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Weight, bool Transposed, float Alpha), (string Q, string Scale, string ZeroPoint)> _weights = new();
        private readonly Dictionary<string, (string Q, string Scale)> _tables = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Weight, bool Transposed), string> _dequantized = new();

        /// <summary>Replaces the float weight of <paramref name="node"/> by int8 values dequantized in the graph.</summary>
        public void QuantizeWeightOnly(NodeProto node)
        {
            var transposed = node.OpType == "Gemm" && OnnxAttributes.GetInt(node, "transB", 0) != 0;
            var name = node.Input[1];
            if (!_dequantized.TryGetValue((name, transposed), out var dequantized))
            {
                graph.TryGetConstant(name, out var tensor);
                var values = OnnxTensorData.ToFloats(tensor);
                var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);

                // The output channel is the column of a [K, N] weight and the row of a transposed [N, K] one; each
                // channel has one scale per block of WeightOnlyBlock values along K (the activation stays float, so
                // the finer scales cost nothing at run time and keep outlier weights from flattening their column).
                var k = transposed ? cols : rows;
                var block = !options.PerChannel ? k : k % WeightOnlyBlock == 0 ? WeightOnlyBlock : k;
                var (q, scales) = !options.PerChannel ? Int8Weights.ByColumn(values, rows, cols, false)
                    : transposed ? Int8Weights.ByRow(values, rows * (k / block), block)
                    : Int8Weights.ByColumnBlocks(values, rows, cols, block);
                long[] valueDims = transposed ? [rows, k / block, block] : [k / block, block, cols];
                long[] scaleDims = !options.PerChannel ? [] : transposed ? [rows, k / block, 1] : [k / block, 1, cols];
                var baseName = node.Name.Length > 0 ? node.Name : node.Output[0];
                var quantized = graph.UniqueName(name + "_int8");
                var scale = graph.UniqueName(name + "_int8_scale");
                var shape = graph.UniqueName(name + "_shape");
                var asFloat = graph.UniqueName(name + "_int8_float");
                var blocks = graph.UniqueName(name + "_int8_blocks");
                dequantized = graph.UniqueName(name + "_dequantized");
                graph.AddInitializer(OnnxTensorData.FromInt8(quantized, valueDims, q));
                graph.AddInitializer(OnnxTensorData.FromFloats(scale, scaleDims, scales));
                graph.AddInitializer(OnnxTensorData.FromInt64(shape, [2], [rows, cols]));
                graph.InsertBefore(node, graph.NewNode("Cast", [quantized], [asFloat], baseName + "_WeightCast").WithInt("to", (long)DataType.Float));
                graph.InsertBefore(node, graph.NewNode("Mul", [asFloat, scale], [blocks], baseName + "_WeightDequantize"));
                graph.InsertBefore(node, graph.NewNode("Reshape", [blocks, shape], [dequantized], baseName + "_WeightReshape"));
                _dequantized[(name, transposed)] = dequantized;
            }

            node.Input[1] = dequantized;
        }

        public void QuantizeLinear(NodeProto node)
        {
            var isGemm = node.OpType == "Gemm";
            var transposed = isGemm && OnnxAttributes.GetInt(node, "transB", 0) != 0;
            var alpha = isGemm ? OnnxAttributes.GetFloat(node, "alpha", 1f) : 1f;
            var beta = isGemm ? OnnxAttributes.GetFloat(node, "beta", 1f) : 1f;
            var baseName = node.Name.Length > 0 ? node.Name : node.Output[0];
            var activation = QuantizedActivation(node);
            var weight = QuantizedWeight(node.Input[1], transposed, alpha);
            var hasBias = isGemm && node.Input.Count > 2 && node.Input[2].Length > 0 && beta != 0f;
            var output = node.Output[0];
            var product = hasBias ? graph.UniqueName(output + "_product") : output;

            var integer = graph.UniqueName(output + "_int32");
            var asFloat = graph.UniqueName(output + "_float");
            var scale = graph.UniqueName(output + "_scale");
            var nodes = new List<NodeProto>
            {
                graph.NewNode("MatMulInteger", [activation.Q, weight.Q, activation.ZeroPoint, weight.ZeroPoint], [integer], baseName + "_MatMulInteger"),
                graph.NewNode("Cast", [integer], [asFloat], baseName + "_Cast").WithInt("to", (long)DataType.Float),
                graph.NewNode("Mul", [activation.Scale, weight.Scale], [scale], baseName + "_ScaleMul"),
                graph.NewNode("Mul", [asFloat, scale], [product], baseName + "_Mul"),
            };
            if (hasBias)
            {
                nodes.Add(graph.NewNode("Add", [product, Bias(node.Input[2], beta, nodes, baseName)], [output], baseName + "_BiasAdd"));
            }
            else
            {
                MoveBiasSecond(output);
            }

            graph.Replace(node, nodes);
        }

        public void QuantizeEmbedding(NodeProto node)
        {
            var (q, scale) = QuantizedTable(node.Input[0]);
            var baseName = node.Name.Length > 0 ? node.Name : node.Output[0];
            var output = node.Output[0];
            var gathered = graph.UniqueName(output + "_int8");
            var gatheredScale = graph.UniqueName(output + "_scale");
            var asFloat = graph.UniqueName(output + "_float");
            graph.Replace(
                node,
                graph.NewNode("Gather", [q, node.Input[1]], [gathered], baseName + "_Int8").WithInt("axis", 0),
                graph.NewNode("Gather", [scale, node.Input[1]], [gatheredScale], baseName + "_Scale").WithInt("axis", 0),
                graph.NewNode("Cast", [gathered], [asFloat], baseName + "_Cast").WithInt("to", (long)DataType.Float),
                graph.NewNode("Mul", [asFloat, gatheredScale], [output], baseName + "_Dequantize"));
        }

        private (string Q, string Scale, string ZeroPoint) QuantizedActivation(NodeProto consumer)
        {
            var input = consumer.Input[0];
            if (!_activations.TryGetValue(input, out var names))
            {
                names = (graph.UniqueName(input + "_quantized"), graph.UniqueName(input + "_scale"), graph.UniqueName(input + "_zero_point"));
                _activations[input] = names;

                // Nodes are visited in graph order, so this consumer is the first: its inputs exist here already.
                graph.InsertBefore(
                    consumer,
                    graph.NewNode("DynamicQuantizeLinear", [input], [names.Q, names.Scale, names.ZeroPoint], input + "_DynamicQuantizeLinear"));
            }

            return names;
        }

        private (string Q, string Scale, string ZeroPoint) QuantizedWeight(string name, bool transposed, float alpha)
        {
            if (_weights.TryGetValue((name, transposed, alpha), out var names))
            {
                return names;
            }

            graph.TryGetConstant(name, out var tensor);
            var values = OnnxTensorData.ToFloats(tensor);
            var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
            if (transposed)
            {
                values = Transpose(values, rows, cols);
                (rows, cols) = (cols, rows);
            }

            var (q, scales) = Int8Weights.ByColumn(values, rows, cols, options.PerChannel);
            if (alpha != 1f)
            {
                for (var i = 0; i < scales.Length; i++)
                {
                    scales[i] *= alpha;
                }
            }

            long[] scaleDims = options.PerChannel ? [cols] : [];
            names = (graph.UniqueName(name + "_quantized"), graph.UniqueName(name + "_scale"), graph.UniqueName(name + "_zero_point"));
            graph.AddInitializer(OnnxTensorData.FromInt8(names.Q, [rows, cols], q));
            graph.AddInitializer(OnnxTensorData.FromFloats(names.Scale, scaleDims, scales));
            graph.AddInitializer(OnnxTensorData.FromInt8(names.ZeroPoint, scaleDims, new sbyte[scales.Length]));
            _weights[(name, transposed, alpha)] = names;
            return names;
        }

        private (string Q, string Scale) QuantizedTable(string name)
        {
            if (_tables.TryGetValue(name, out var names))
            {
                return names;
            }

            graph.TryGetConstant(name, out var tensor);
            var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
            var (q, scales) = Int8Weights.ByRow(OnnxTensorData.ToFloats(tensor), rows, cols);
            names = (graph.UniqueName(name + "_quantized"), graph.UniqueName(name + "_scale"));

            // [rows, 1] so the gathered scales broadcast over the gathered rows.
            graph.AddInitializer(OnnxTensorData.FromInt8(names.Q, [rows, cols], q));
            graph.AddInitializer(OnnxTensorData.FromFloats(names.Scale, [rows, 1], scales));
            _tables[name] = names;
            return names;
        }

        private string Bias(string bias, float beta, List<NodeProto> nodes, string baseName)
        {
            if (beta == 1f)
            {
                return bias;
            }

            if (graph.TryGetConstant(bias, out var tensor) && tensor.DataType == (int)DataType.Float)
            {
                var scaled = Array.ConvertAll(OnnxTensorData.ToFloats(tensor), v => v * beta);
                var name = graph.UniqueName(bias + "_beta");
                graph.AddInitializer(OnnxTensorData.FromFloats(name, [.. tensor.Dims], scaled));
                return name;
            }

            var betaName = graph.UniqueName(baseName + "_beta");
            graph.AddInitializer(OnnxTensorData.FromFloats(betaName, [], [beta]));
            var output = graph.UniqueName(bias + "_scaled");
            nodes.Add(graph.NewNode("Mul", [bias, betaName], [output], baseName + "_BetaMul"));
            return output;
        }

        /// <summary>ONNX Runtime folds a bias into the fused MatMul only as the Add's second input; Add commutes.</summary>
        private void MoveBiasSecond(string output)
        {
            if (graph.IsGraphOutput(output) || graph.Consumers(output) is not [{ OpType: "Add" } add]
                || !OnnxGraph.IsDefaultDomain(add) || add.Input.Count != 2 || add.Input[1] != output || add.Input[0] == output
                || !graph.TryGetConstant(add.Input[0], out var bias) || bias.Dims.Count != 1)
            {
                return;
            }

            (add.Input[0], add.Input[1]) = (add.Input[1], add.Input[0]);
        }

        private static float[] Transpose(float[] values, int rows, int cols)
        {
            var result = new float[values.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    result[(c * rows) + r] = values[(r * cols) + c];
                }
            }

            return result;
        }
    }
}
