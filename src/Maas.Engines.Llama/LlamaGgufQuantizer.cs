using LLama;
using LLama.Native;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Maas.Engines.Llama;

/// <summary>llama.cpp's <c>llama_model_quantize</c> through LLamaSharp's <see cref="LLamaQuantizer"/>.</summary>
internal sealed class LlamaGgufQuantizer(ILoggerFactory loggerFactory) : IGgufQuantizer
{
    private static readonly Dictionary<string, LLamaFtype> FileTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["q8_0"] = LLamaFtype.MOSTLY_Q8_0,
        ["q4_0"] = LLamaFtype.MOSTLY_Q4_0,
        ["q4_1"] = LLamaFtype.MOSTLY_Q4_1,
        ["q5_0"] = LLamaFtype.MOSTLY_Q5_0,
        ["q5_1"] = LLamaFtype.MOSTLY_Q5_1,
        ["q4_k_s"] = LLamaFtype.MOSTLY_Q4_K_S,
        ["q4_k_m"] = LLamaFtype.MOSTLY_Q4_K_M,
        ["q5_k_s"] = LLamaFtype.MOSTLY_Q5_K_S,
        ["q5_k_m"] = LLamaFtype.MOSTLY_Q5_K_M,
        ["q6_k"] = LLamaFtype.MOSTLY_Q6_K,
    };

    public IReadOnlyList<string> Types { get; } = [.. FileTypes.Keys];

    public IReadOnlyList<string> Quantize(string inputPath, string outputPath, string type, int threads)
    {
        if (!FileTypes.TryGetValue(type, out var fileType))
        {
            throw MaasException.InvalidArgument($"GGUF type '{type}' is not supported; expected one of {string.Join(", ", FileTypes.Keys)}.");
        }

        LlamaNativeLibrary.EnsureInitialized(loggerFactory.CreateLogger("Maas.Engines.Llama.Native"));

        // llama.cpp logs from the calling thread while it quantizes, so the capture sees this file's warnings only.
        using var capture = LlamaLogCapture.Begin();
        var ok = LLamaQuantizer.Quantize(inputPath, outputPath, fileType, Math.Max(1, threads), allowRequantize: false, quantizeOutputTensor: true);
        if (!ok)
        {
            throw MaasException.InvalidArgument($"llama.cpp could not quantize the file to {type.ToUpperInvariant()}: "
                + capture.Reason().Replace(inputPath, Path.GetFileName(inputPath), StringComparison.Ordinal));
        }

        return capture.Warnings;
    }
}
