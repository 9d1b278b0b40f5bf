namespace Maas.Optimization;

/// <summary>One optimization method (<c>dynamic-int8</c>, <c>static-int8</c>, <c>int4</c>, <c>fp16</c>, GGUF types)
/// that turns a model file into a new one. Registered in DI; the quantize job finds it by <see cref="Method"/>.</summary>
public interface IModelPass
{
    /// <summary>The method name users type (<c>maas quantize NAME --method dynamic-int8</c>).</summary>
    string Method { get; }

    /// <summary>The manifest format it applies to (<c>onnx</c> or <c>gguf</c>).</summary>
    string Format { get; }

    /// <summary>Parses and checks the method's options (an object, may be empty) without running anything.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">InvalidArgument with the reason.</exception>
    void ValidateOptions(System.Text.Json.JsonElement options);

    /// <summary>Writes the optimized model into <see cref="PassContext.OutputDirectory"/>.</summary>
    /// <exception cref="Maas.Core.Errors.MaasException">InvalidArgument when the model has nothing to optimize or an
    /// unsupported pattern/opset (the job fails with that reason).</exception>
    Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken);
}
