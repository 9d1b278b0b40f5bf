using System.Text.Json;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Dynamic;

/// <summary><c>dynamic-int8</c>: int8 weights for MatMul/Gemm (and embedding tables), activations quantized at run
/// time (see <see cref="DynamicInt8Quantizer"/>).</summary>
internal sealed class DynamicInt8Pass : IModelPass
{
    public string Method => DynamicInt8Options.Method;

    public string Format => "onnx";

    public void ValidateOptions(JsonElement options) => DynamicInt8Options.Parse(options);

    public Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = DynamicInt8Options.Parse(context.Options);
        return OnnxPassRunner.RunAsync(
            context,
            "quantizing weights to int8",
            model => DynamicInt8Quantizer.Apply(model, options),
            options.ToParameters(),
            cancellationToken);
    }
}
