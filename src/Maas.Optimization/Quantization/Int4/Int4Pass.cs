using System.Text.Json;
using Maas.Optimization.Graph;

namespace Maas.Optimization.Quantization.Int4;

/// <summary><c>int4</c>: weight-only 4-bit MatMul weights (<c>com.microsoft.MatMulNBits</c>, see <see cref="Int4Quantizer"/>).</summary>
internal sealed class Int4Pass : IModelPass
{
    public string Method => Int4Options.Method;

    public string Format => "onnx";

    public void ValidateOptions(JsonElement options) => Int4Options.Parse(options);

    public Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = Int4Options.Parse(context.Options);
        return OnnxPassRunner.RunAsync(context, "packing weights to 4 bits", model => Int4Quantizer.Apply(model, options), options.ToParameters(), cancellationToken);
    }
}
