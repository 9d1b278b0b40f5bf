using System.Diagnostics;
using Maas.Formats.Gguf;

namespace Maas.Bench;

/// <summary>A ~1.3B-parameter llama of Llama 3.2 1B's shape written by our own writer: 2048 wide, 16 blocks, 32 heads /
/// 8 key/value heads, feed-forward 8192, a 151,936-token SentencePiece vocabulary, context 4096, tied embeddings.</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="Facts">What its header says.</param>
/// <param name="FileBytes">Size of the file.</param>
/// <param name="WeightBytesPerToken">Bytes of weights one decode step reads: every tensor, except that an untied
/// <c>token_embd</c> contributes one row (a lookup), while a tied one is also the output projection and is read whole.</param>
/// <param name="KvBytesPerPosition">Bytes of KV cache per position (F16 keys and values of every block), which a decode
/// step reads once for every earlier position.</param>
internal sealed record BigLlamaModel(string Path, GgufModelFacts Facts, long FileBytes, long WeightBytesPerToken, long KvBytesPerPosition)
{
    public static readonly TinyLlamaOptions Shape = new()
    {
        Name = "bench-llama-1b",
        EmbeddingLength = 2048,
        BlockCount = 16,
        HeadCount = 32,
        HeadCountKv = 8,
        FeedForwardLength = 8192,
        ContextLength = 4096,
        VocabularySize = 151_936,
        TiedEmbeddings = true,
        Seed = 11,
    };

    /// <summary>The model of <paramref name="type"/> in <paramref name="folder"/>, written first if it is not there.</summary>
    public static BigLlamaModel Ensure(string folder, GgmlType type)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"llama-1b-{type.ToString().ToLowerInvariant()}.gguf");
        if (!File.Exists(path))
        {
            var watch = Stopwatch.StartNew();
            var partial = path + ".partial";
            TinyLlamaGguf.Write(partial, Shape with { WeightType = type });
            File.Move(partial, path, overwrite: true);
            Console.Error.WriteLine($"wrote {path} ({new FileInfo(path).Length / 1e9:F2} GB) in {watch.Elapsed.TotalSeconds:F1} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
        }

        var file = GgufReader.Read(path);
        var bytes = file.Tensors.ToDictionary(t => t.Name, t => t.ByteSize);
        var perToken = bytes.Values.Sum();
        var embedding = file.Tensors.Single(t => t.Name == "token_embd.weight");
        if (bytes.ContainsKey("output.weight"))
        {
            perToken -= bytes["token_embd.weight"] - (bytes["token_embd.weight"] / embedding.Dimensions[1]);
        }

        var facts = GgufModelFacts.From(file);
        var shape = Shape;
        long kvWidth = shape.EmbeddingLength / shape.HeadCount * (shape.HeadCountKv ?? shape.HeadCount);
        return new BigLlamaModel(path, facts, new FileInfo(path).Length, perToken, 2 * shape.BlockCount * kvWidth * 2);
    }
}
