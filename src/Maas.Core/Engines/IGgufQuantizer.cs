namespace Maas.Core.Engines;

/// <summary>Re-quantizes a GGUF file with llama.cpp's own quantizer (the llama engine implements it, since only
/// engines touch native code).</summary>
/// <remarks>
/// The call blocks its thread until the whole output is written and cannot be interrupted mid-way (llama.cpp's
/// <c>llama_model_quantize</c> has no abort callback); callers run it on a worker thread and watch the output file grow.
/// </remarks>
public interface IGgufQuantizer
{
    /// <summary>The quantization types it writes, by their llama.cpp names in lower case (<c>q8_0</c>, <c>q4_k_m</c> ...).</summary>
    IReadOnlyList<string> Types { get; }

    /// <summary>Writes <paramref name="outputPath"/> from <paramref name="inputPath"/> with every weight matrix in
    /// <paramref name="type"/> (llama.cpp's mixes apply, e.g. Q6_K for some tensors of Q4_K_M).</summary>
    /// <returns>llama.cpp's warnings (e.g. tensors it had to store in a fallback type).</returns>
    /// <exception cref="Errors.MaasException">InvalidArgument with llama.cpp's reason when it refuses the file.</exception>
    IReadOnlyList<string> Quantize(string inputPath, string outputPath, string type, int threads);
}
