namespace Maas.Formats.Gguf;

/// <summary>Well-known GGUF metadata keys; <c>{arch}</c> keys are built with <see cref="ForArchitecture"/>.</summary>
public static class GgufKeys
{
    public const string Architecture = "general.architecture";
    public const string Name = "general.name";
    public const string Type = "general.type";
    public const string Alignment = "general.alignment";
    public const string FileType = "general.file_type";
    public const string QuantizationVersion = "general.quantization_version";

    public const string ContextLength = "context_length";
    public const string EmbeddingLength = "embedding_length";
    public const string BlockCount = "block_count";
    public const string FeedForwardLength = "feed_forward_length";
    public const string HeadCount = "attention.head_count";
    public const string HeadCountKv = "attention.head_count_kv";
    public const string LayerNormRmsEpsilon = "attention.layer_norm_rms_epsilon";
    public const string RopeDimensionCount = "rope.dimension_count";
    public const string PoolingType = "pooling_type";

    public const string TokenizerModel = "tokenizer.ggml.model";
    public const string Tokens = "tokenizer.ggml.tokens";
    public const string Scores = "tokenizer.ggml.scores";
    public const string TokenTypes = "tokenizer.ggml.token_type";
    public const string BosTokenId = "tokenizer.ggml.bos_token_id";
    public const string EosTokenId = "tokenizer.ggml.eos_token_id";
    public const string EotTokenId = "tokenizer.ggml.eot_token_id";
    public const string UnknownTokenId = "tokenizer.ggml.unknown_token_id";
    public const string PaddingTokenId = "tokenizer.ggml.padding_token_id";
    public const string ChatTemplate = "tokenizer.chat_template";

    /// <summary>The architecture-scoped key, e.g. <c>llama.context_length</c>.</summary>
    public static string ForArchitecture(string architecture, string key) => $"{architecture}.{key}";
}
