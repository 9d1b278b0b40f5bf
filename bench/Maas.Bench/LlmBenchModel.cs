using LLama;
using LLama.Native;
using Maas.Engines.Llama;
using Maas.Formats.Gguf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.Bench;

/// <summary>The benchmark's model: a random-weight llama written as F32, then quantised to Q4_0 by llama.cpp's own quantiser.</summary>
/// <param name="Path">The Q4_0 file.</param>
/// <param name="Facts">What its header says (parameter count, quantisation).</param>
/// <param name="FileBytes">Size of the Q4_0 file.</param>
/// <param name="TensorTypes">Element share per tensor type, e.g. <c>Q4_0 95.1 %</c>.</param>
internal sealed record LlmBenchModel(string Path, GgufModelFacts Facts, long FileBytes, string TensorTypes)
{
    /// <summary>Writes the model into <paramref name="folder"/>; takes a few seconds.</summary>
    public static LlmBenchModel Create(string folder, int layers, int contextLength = 1024)
    {
        // Dimensions are multiples of 32 (Q4_0 blocks) and of 256 where llama.cpp may pick a K-quant (output.weight).
        var source = System.IO.Path.Combine(folder, "bench-llama-f32.gguf");
        TinyLlamaGguf.Write(source, new TinyLlamaOptions
        {
            Name = "bench-llama",
            EmbeddingLength = 512,
            BlockCount = layers,
            HeadCount = 8,
            FeedForwardLength = 1376,
            ContextLength = contextLength,
            WeightType = GgmlType.F32,
            Seed = 7,
        });

        // The quantiser entry point needs the native library loaded; the engine's initialiser does that (once per process).
        LlamaNativeLibrary.EnsureInitialized(NullLogger.Instance);
        var target = System.IO.Path.Combine(folder, "bench-llama-q4_0.gguf");
        if (!LLamaQuantizer.Quantize(source, target, LLamaFtype.MOSTLY_Q4_0, nthread: 2, allowRequantize: false, quantizeOutputTensor: true))
        {
            throw new InvalidOperationException("llama.cpp could not quantise the benchmark model.");
        }

        File.Delete(source);
        var file = GgufReader.Read(target);
        var total = (double)file.Tensors.Sum(t => t.ElementCount);
        var types = string.Join(", ", file.Tensors
            .GroupBy(t => t.Type)
            .Select(g => (Type: g.Key, Share: g.Sum(t => t.ElementCount) / total))
            .OrderByDescending(x => x.Share)
            .Select(x => FormattableString.Invariant($"{x.Type} {x.Share * 100:F1} %")));
        var output = file.Tensors.FirstOrDefault(t => t.Name == "output.weight");
        if (output is not null)
        {
            types += $"; output.weight {output.Type}";
        }

        return new LlmBenchModel(target, GgufModelFacts.From(file), new FileInfo(target).Length, types);
    }
}
