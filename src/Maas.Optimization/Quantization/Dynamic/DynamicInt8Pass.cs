using System.Text.Json;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization.Graph;
using Maas.Optimization.Quantization.Smoothing;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary><c>dynamic-int8</c>: int8 weights for MatMul/Gemm (and embedding tables), activations quantized at run
/// time (see <see cref="DynamicInt8Quantizer"/>). By default the per-channel |x| ranges of the quantized activations
/// are first measured on the job's calibration inputs: outlier channels of feed-forward down-projections are then
/// multiplied in float (<see cref="OutlierDecomposition"/>) and the other activations smoothed
/// (<see cref="ActivationSmoothing"/>), which keeps short texts accurate with every activation quantized.</summary>
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
        if (options.NeedsCalibration && context.LoadTensorModel is not null)
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
            if (context.CalibrationInputs is not { Count: > 0 } feeds || context.LoadTensorModel is not { } loader)
            {
                if (options.CalibrationRequired)
                {
                    throw MaasException.InvalidArgument(
                        $"'{DynamicInt8Options.Method}' with \"decompose\" or \"smooth\" set needs calibration inputs (given with the job or stored with the version); set both to \"none\" to quantize without.");
                }

                context.Progress(0.7, "quantizing weights to int8");
                return DynamicInt8Quantizer.Apply(model, options, null);
            }

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
