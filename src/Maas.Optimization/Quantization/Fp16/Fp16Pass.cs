using System.Text.Json;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Fp16;

/// <summary><c>fp16</c>: float16 weights and computation (see <see cref="Fp16Converter"/>).</summary>
internal sealed class Fp16Pass : IModelPass
{
    public string Method => Fp16Options.Method;

    public string Format => "onnx";

    public void ValidateOptions(JsonElement options) => Fp16Options.Parse(options);

    public Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = Fp16Options.Parse(context.Options);
        return OnnxPassRunner.RunAsync(context, "converting to float16", model => Fp16Converter.Apply(model, options), options.ToParameters(), cancellationToken);
    }
}
