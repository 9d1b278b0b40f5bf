namespace Maas.Formats.Gguf;

/// <summary>Writes a tiny random-weight llama model that llama.cpp loads and runs: a stand-in for real models in tests and benchmarks.</summary>
/// <remarks>
/// The file is complete as far as llama.cpp is concerned (hyper-parameters, a SentencePiece vocabulary with byte
/// fallback, every tensor of each block), so loading, tokenizing, chat templating and generating all work; only the
/// text generated is nonsense. The same options and seed always produce the same bytes.
/// </remarks>
public static class TinyLlamaGguf
{
    /// <summary>A small Zephyr-style template: role headers, <c>&lt;/s&gt;</c> after each message.</summary>
    public const string DefaultChatTemplate =
        "{% for message in messages %}{{ '<|' + message['role'] + '|>\n' + message['content'] + '</s>\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}";

    private const string Architecture = "llama";
    private const float WeightScale = 0.05f;

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    public static void Write(string path, TinyLlamaOptions? options = null) => CreateWriter(options).Write(path);

    /// <summary>A writer holding the whole model, for callers that add or change keys before writing.</summary>
    public static GgufWriter CreateWriter(TinyLlamaOptions? options = null)
    {
        options ??= new TinyLlamaOptions();
        Validate(options);
        var headCountKv = options.HeadCountKv ?? options.HeadCount;
        var headDim = options.EmbeddingLength / options.HeadCount;
        var (tokens, scores, types) = TinyLlamaVocabulary.Build(options.ExtraWords, options.SpecialTokens);

        var writer = new GgufWriter()
            .SetString(GgufKeys.Architecture, Architecture)
            .SetString(GgufKeys.Name, options.Name)
            .SetUInt32(GgufKeys.FileType, options.WeightType == GgmlType.F16 ? 1u : 0u)
            .SetUInt32(Key(GgufKeys.ContextLength), (uint)options.ContextLength)
            .SetUInt32(Key(GgufKeys.EmbeddingLength), (uint)options.EmbeddingLength)
            .SetUInt32(Key(GgufKeys.BlockCount), (uint)options.BlockCount)
            .SetUInt32(Key(GgufKeys.FeedForwardLength), (uint)options.FeedForwardLength)
            .SetUInt32(Key(GgufKeys.HeadCount), (uint)options.HeadCount)
            .SetUInt32(Key(GgufKeys.HeadCountKv), (uint)headCountKv)
            .SetFloat32(Key(GgufKeys.LayerNormRmsEpsilon), 1e-5f)
            .SetUInt32(Key(GgufKeys.RopeDimensionCount), (uint)headDim)
            .SetString(GgufKeys.TokenizerModel, "llama")
            .SetStringArray(GgufKeys.Tokens, tokens)
            .SetFloat32Array(GgufKeys.Scores, scores)
            .SetInt32Array(GgufKeys.TokenTypes, types)
            .SetUInt32(GgufKeys.BosTokenId, TinyLlamaVocabulary.BosId)
            .SetUInt32(GgufKeys.EosTokenId, TinyLlamaVocabulary.EosId)
            .SetUInt32(GgufKeys.UnknownTokenId, TinyLlamaVocabulary.UnknownId)
            .SetBool("tokenizer.ggml.add_bos_token", true)
            .SetBool("tokenizer.ggml.add_eos_token", false);
        if (options.ChatTemplate is not null)
        {
            writer.SetString(GgufKeys.ChatTemplate, options.ChatTemplate);
        }

        AddTensors(writer, options, tokens.Length, headDim * headCountKv);
        return writer;
    }

    private static void AddTensors(GgufWriter writer, TinyLlamaOptions options, int vocabulary, int kvLength)
    {
        var random = new Random(options.Seed);
        long embd = options.EmbeddingLength;
        long ff = options.FeedForwardLength;

        void Matrix(string name, long columns, long rows)
        {
            var values = new float[columns * rows];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * WeightScale;
            }

            if (options.WeightType == GgmlType.F16)
            {
                writer.AddF16Tensor(name, [columns, rows], values);
            }
            else
            {
                writer.AddF32Tensor(name, [columns, rows], values);
            }
        }

        void Norm(string name) => writer.AddF32Tensor(name, [embd], Enumerable.Repeat(1f, (int)embd).ToArray());

        Matrix("token_embd.weight", embd, vocabulary);
        for (var b = 0; b < options.BlockCount; b++)
        {
            var prefix = $"blk.{b}.";
            Norm(prefix + "attn_norm.weight");
            Matrix(prefix + "attn_q.weight", embd, embd);
            Matrix(prefix + "attn_k.weight", embd, kvLength);
            Matrix(prefix + "attn_v.weight", embd, kvLength);
            Matrix(prefix + "attn_output.weight", embd, embd);
            Norm(prefix + "ffn_norm.weight");
            Matrix(prefix + "ffn_gate.weight", embd, ff);
            Matrix(prefix + "ffn_up.weight", embd, ff);
            Matrix(prefix + "ffn_down.weight", ff, embd);
        }

        Norm("output_norm.weight");
        Matrix("output.weight", embd, vocabulary);
    }

    private static void Validate(TinyLlamaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.ExtraWords);
        ArgumentNullException.ThrowIfNull(options.SpecialTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EmbeddingLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HeadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FeedForwardLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ContextLength, 1);
        var headCountKv = options.HeadCountKv ?? options.HeadCount;
        if (options.EmbeddingLength % options.HeadCount != 0 || headCountKv < 1 || options.HeadCount % headCountKv != 0)
        {
            throw new ArgumentException("The embedding length must divide into heads, and the heads into key/value heads.", nameof(options));
        }

        if (options.WeightType is not (GgmlType.F32 or GgmlType.F16))
        {
            throw new ArgumentException("Weights are written as F32 or F16; quantise with llama.cpp afterwards.", nameof(options));
        }

        if (options.ExtraWords.Any(string.IsNullOrEmpty) || options.SpecialTokens.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Extra words and special tokens cannot be empty.", nameof(options));
        }
    }

    private static string Key(string key) => GgufKeys.ForArchitecture(Architecture, key);
}
