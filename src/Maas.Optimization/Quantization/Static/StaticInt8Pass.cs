using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Quantization.Static;

/// <summary><c>static-int8</c>: calibrated static quantization in QDQ form. Folds BatchNormalization into Conv, raises
/// the opset to 13 when it is lower, measures activation ranges on the calibration inputs (min-max, percentile or
/// entropy), then writes int8 weights (symmetric, per output channel), int32 biases and uint8 (or int8) activations
/// behind QuantizeLinear/DequantizeLinear, which ONNX Runtime turns into integer kernels (QLinearConv ...).</summary>
/// <remarks>Conv/Gemm biases are quantized to int32 (scale = input scale × weight scale, zero point 0), because ONNX
/// Runtime's QDQ Conv selector fuses only when every Conv input comes from a DequantizeLinear.</remarks>
internal sealed class StaticInt8Pass : IModelPass
{
    /// <summary>Below this many values (16 per histogram bin) the KL search chases sampling noise in a sparse
    /// histogram and clips far too much; such activations (pooled features, small heads) keep min-max.</summary>
    private const long MinEntropySamples = 16L * TensorStatistics.DefaultBins;

    public string Method => "static-int8";

    public string Format => "onnx";

    public void ValidateOptions(JsonElement options) => StaticInt8Options.Parse(options);

    public async Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = StaticInt8Options.Parse(context.Options);
        var loader = context.LoadTensorModel
            ?? throw new InvalidOperationException("static-int8 needs PassContext.LoadTensorModel to run calibration.");
        var notes = new List<string>();

        context.Progress(0, "reading the model");
        var model = Read(context.ModelPath);

        StaticCalibrator.Validate(model.Graph, context.CalibrationInputs);
        var feeds = context.CalibrationInputs!;

        var folded = BatchNormFolding.Fold(model);
        if (folded > 0)
        {
            notes.Add($"{folded} BatchNormalization nodes folded into the Conv before them");
        }

        var perChannel = options.PerChannel;
        try
        {
            notes.AddRange(OpsetUpgrade.Raise(model));
        }
        catch (MaasException) when (QdqNodes.DefaultOpset(model) >= 10)
        {
            // QuantizeLinear exists from opset 10; only the per-channel axis needs 13.
            perChannel = false;
            notes.Add($"opset {QdqNodes.DefaultOpset(model)} kept (not upgradable to 13): weights quantized per tensor");
        }

        var plan = QdqPlanner.Plan(model, options);
        if (!plan.Nodes.Any(n => StaticInt8Options.WeightedOps.Contains(n.OpType)))
        {
            throw MaasException.InvalidArgument("The model has nothing static-int8 can quantize: no Conv, MatMul or Gemm with float weights among the selected op types.");
        }

        var stats = await CalibrateAsync(model, plan, feeds, options, loader, context.Progress, cancellationToken).ConfigureAwait(false);
        // Graph outputs keep their full observed range: clipping what the caller reads is never the better trade.
        var graphOutputs = model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var activations = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
        var tooFewForEntropy = 0;
        foreach (var (name, s) in stats)
        {
            if (options.Method == CalibrationMethod.Entropy && s.Count < MinEntropySamples && !graphOutputs.Contains(name))
            {
                tooFewForEntropy++;
            }

            var threshold = graphOutputs.Contains(name) ? null : options.Method switch
            {
                CalibrationMethod.Percentile => CalibrationThresholds.Percentile(s.Histogram!, s.BinWidth, options.Percentile),
                CalibrationMethod.Entropy when s.Count >= MinEntropySamples => CalibrationThresholds.Entropy(s.Histogram!, s.BinWidth, s.Min >= 0 && !options.SymmetricActivations ? 256 : 128),
                _ => (double?)null,
            };
            var (min, max) = QuantParams.Clip(s, threshold);
            activations[name] = QuantParams.ForActivation(min, max, options.SymmetricActivations);
        }

        if (tooFewForEntropy > 0)
        {
            notes.Add($"{tooFewForEntropy} activations had under {MinEntropySamples} calibration values (too few for a KL histogram): min-max used for them");
        }

        context.Progress(0.9, "inserting QuantizeLinear/DequantizeLinear");
        var rewriter = new QdqRewriter(model, plan, activations, options.SymmetricActivations, perChannel);
        rewriter.Apply();

        var outputPath = Path.Combine(context.OutputDirectory, Path.GetFileName(context.Manifest.ModelFile) is { Length: > 0 } file ? file : "model.onnx");
        await using (var stream = File.Create(outputPath))
        {
            model.WriteTo(stream);
        }

        notes.Add($"calibrated {plan.Calibrated.Count} activations on {feeds.Count} inputs ({options.Describe()["method"]}); " +
            $"{plan.Tensors.Count} activations quantized ({(options.SymmetricActivations ? "int8 symmetric" : "uint8 asymmetric")}), {plan.Propagated.Count} sharing their input's scale");
        notes.Add("weights int8 symmetric " + (perChannel ? "per output channel" : "per tensor") + ": " +
            string.Join(", ", rewriter.QuantizedWeights.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}")) + "; Conv/Gemm biases int32");
        if (plan.ReluFusions.Count > 0)
        {
            notes.Add($"{plan.ReluFusions.Count} Relu nodes absorbed into the uint8 QuantizeLinear after their producer (zero point 0 clamps at 0)");
        }

        notes.AddRange(plan.Skipped.Select(s => "left in float: " + s));
        var parameters = options.Describe();
        parameters["per_channel"] = perChannel ? "true" : "false";
        parameters["calibration_inputs"] = feeds.Count.ToString(CultureInfo.InvariantCulture);
        parameters["opset"] = QdqNodes.DefaultOpset(model).ToString(CultureInfo.InvariantCulture);
        context.Progress(1, "done");
        return new PassResult(outputPath, parameters, notes);
    }

    /// <summary>The model with any external data read into its tensors, so the written result is self-contained.</summary>
    private static ModelProto Read(string path)
    {
        var model = OnnxModelFile.Load(path);
        return model.Graph is not null ? model : throw MaasException.InvalidArgument("The ONNX file has no graph.");
    }

    private static async Task<Dictionary<string, TensorStatistics>> CalibrateAsync(
        ModelProto model,
        QdqPlan plan,
        IReadOnlyList<IReadOnlyList<Maas.Core.Tensors.Tensor>> feeds,
        StaticInt8Options options,
        Func<string, CancellationToken, Task<Maas.Core.Engines.ITensorModel>> loader,
        Action<double, string> progress,
        CancellationToken cancellationToken)
    {
        // A copy whose outputs include every activation to measure; element type only (shapes are the runtime's).
        var augmented = model.Clone();
        var existing = augmented.Graph.Output.Select(o => o.Name).Concat(augmented.Graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in plan.Calibrated.Where(n => !existing.Contains(n)))
        {
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        var folder = Path.Combine(Path.GetTempPath(), "maas-calibration-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "calibration.onnx");
            await using (var stream = File.Create(path))
            {
                augmented.WriteTo(stream);
            }

            var calibrationModel = await loader(path, cancellationToken).ConfigureAwait(false);
            await using (calibrationModel.ConfigureAwait(false))
            {
                return await StaticCalibrator.CollectAsync(
                    calibrationModel,
                    feeds,
                    plan.Calibrated,
                    options.Method != CalibrationMethod.MinMax,
                    (fraction, stage) => progress(0.05 + (0.85 * fraction), stage),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
