namespace Maas.UnitTests.Engines.Llama;

/// <summary>Writes a tiny random-weight llama model (64-dim, 2 layers, SentencePiece vocabulary with byte fallback).</summary>
internal static class TestLlamaGguf
{
    public const int EmbeddingLength = 64;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int FeedForwardLength = 128;
    public const int TrainedContextLength = 128;
    public const int BosToken = 1;
    public const int EosToken = 2;
    public const string ChatTemplate = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}</s>{% endfor %}";

    private static readonly string[] Words =
    [
        "▁", "▁hello", "▁world", "▁the", "▁a", "▁is", "▁model", "▁test", "he", "ll", "lo", "wor", "ld", "th", "in", "er",
    ];

    /// <summary>The token list: unknown, BOS, EOS, 256 byte tokens, letters, then a few merged pieces.</summary>
    public static IReadOnlyList<string> Tokens { get; } = BuildTokens();

    public static string Write(string directory, int seed = 1234)
    {
        var path = Path.Combine(directory, $"tiny-llama-{seed}.gguf");
        var random = new Random(seed);
        var vocab = Tokens.Count;
        var writer = new TestGgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", "tiny-random-llama")
            .Add("general.alignment", 32u)
            .Add("llama.context_length", (uint)TrainedContextLength)
            .Add("llama.embedding_length", (uint)EmbeddingLength)
            .Add("llama.block_count", (uint)Layers)
            .Add("llama.feed_forward_length", (uint)FeedForwardLength)
            .Add("llama.attention.head_count", (uint)Heads)
            .Add("llama.attention.head_count_kv", (uint)Heads)
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("llama.rope.dimension_count", (uint)(EmbeddingLength / Heads))
            .Add("llama.rope.freq_base", 10000f)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", Tokens)
            .Add("tokenizer.ggml.scores", Tokens.Select(Score).ToArray())
            .Add("tokenizer.ggml.token_type", Tokens.Select(TokenType).ToArray())
            .Add("tokenizer.ggml.unknown_token_id", 0u)
            .Add("tokenizer.ggml.bos_token_id", (uint)BosToken)
            .Add("tokenizer.ggml.eos_token_id", (uint)EosToken)
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false)
            .Add("tokenizer.chat_template", ChatTemplate);

        writer.AddTensor("token_embd.weight", [EmbeddingLength, vocab], RandomValues(random, EmbeddingLength * vocab, 1f));
        writer.AddTensor("output_norm.weight", [EmbeddingLength], Ones(EmbeddingLength));
        writer.AddTensor("output.weight", [EmbeddingLength, vocab], RandomValues(random, EmbeddingLength * vocab, 1f));
        for (var layer = 0; layer < Layers; layer++)
        {
            var prefix = $"blk.{layer}.";
            writer.AddTensor(prefix + "attn_norm.weight", [EmbeddingLength], Ones(EmbeddingLength));
            foreach (var name in new[] { "attn_q", "attn_k", "attn_v", "attn_output" })
            {
                writer.AddTensor(prefix + name + ".weight", [EmbeddingLength, EmbeddingLength], RandomValues(random, EmbeddingLength * EmbeddingLength, 0.3f));
            }

            writer.AddTensor(prefix + "ffn_norm.weight", [EmbeddingLength], Ones(EmbeddingLength));
            writer.AddTensor(prefix + "ffn_gate.weight", [EmbeddingLength, FeedForwardLength], RandomValues(random, EmbeddingLength * FeedForwardLength, 0.3f));
            writer.AddTensor(prefix + "ffn_up.weight", [EmbeddingLength, FeedForwardLength], RandomValues(random, EmbeddingLength * FeedForwardLength, 0.3f));
            writer.AddTensor(prefix + "ffn_down.weight", [FeedForwardLength, EmbeddingLength], RandomValues(random, EmbeddingLength * FeedForwardLength, 0.3f));
        }

        writer.WriteTo(path);
        return path;
    }

    private static List<string> BuildTokens()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
        }

        for (var c = 'a'; c <= 'z'; c++)
        {
            tokens.Add(c.ToString());
        }

        tokens.AddRange(Words);
        return tokens;
    }

    // SentencePiece merges the pair whose merged piece scores highest: longer pieces win.
    private static float Score(string token) => token.StartsWith("<", StringComparison.Ordinal) ? 0f : token.Length;

    // 1 normal, 2 unknown, 3 control, 6 byte.
    private static int TokenType(string token, int index) => index switch
    {
        0 => 2,
        1 or 2 => 3,
        < 259 => 6,
        _ => 1,
    };

    private static float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();

    private static float[] RandomValues(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((float)random.NextDouble() * 2f - 1f) * scale;
        }

        return values;
    }
}
