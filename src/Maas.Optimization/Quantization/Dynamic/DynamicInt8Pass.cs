using System.Text.Json;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Smoothing;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary><c>dynamic-int8</c>: int8 weights for MatMul/Gemm (and embedding tables), activations quantized at run
/// time (see <see cref="DynamicInt8Quantizer"/>), after SmoothQuant-style scaling of the activations picked by
/// <c>smooth</c>, calibrated on the job's inputs (<see cref="ActivationSmoothing"/>).</summary>
internal sealed class DynamicInt8Pass : IModelPass
{
    public string Method => DynamicInt8Options.Method;

    public string Format => "onnx";

    public void ValidateOptions(JsonElement options) => DynamicInt8Options.Parse(options);

    public Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = DynamicInt8Options.Parse(context.Options);
        var parameters = new Dictionary<string, string>(options.ToParameters(), StringComparer.Ordinal);
        if (options.NeedsCalibration)
        {
            parameters["calibration_inputs"] = (context.CalibrationInputs?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return OnnxPassRunner.RunAsync(
            context,
            "quantizing weights to int8",
            (model, ct) => RewriteAsync(model, options, context, ct),
            parameters,
            cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> RewriteAsync(ModelProto model, DynamicInt8Options options, PassContext context, CancellationToken cancellationToken)
    {
        var activations = DynamicInt8Quantizer.SmoothingActivations(model, options);
        Dictionary<string, float[]>? ranges = null;
        if (activations.Count > 0)
        {
            if (context.CalibrationInputs is not { Count: > 0 } feeds)
            {
                throw MaasException.InvalidArgument(
                    $"'{DynamicInt8Options.Method}' with smoothing needs calibration inputs (given with the job, stored with the version, or generated for its signature); pass \"smooth\": \"none\" to quantize without.");
            }

            var loader = context.LoadTensorModel
                ?? throw new InvalidOperationException("Smoothing needs PassContext.LoadTensorModel to run calibration.");
            ranges = await ChannelCalibrator.CollectAsync(
                model,
                activations,
                feeds,
                loader,
                (fraction, stage) => context.Progress(0.2 + (0.5 * fraction), stage),
                cancellationToken).ConfigureAwait(false);
        }

        context.Progress(0.7, "quantizing weights to int8");
        return DynamicInt8Quantizer.Apply(model, options, ranges);
    }
}
