namespace Maas.Formats.Gguf;

/// <summary>Shape and contents of a <see cref="TinyLlamaGguf"/> model.</summary>
/// <remarks>The defaults give a ~0.3 MB model that llama.cpp loads and runs in milliseconds; the weights are noise.</remarks>
public sealed record TinyLlamaOptions
{
    public string Name { get; init; } = "tiny-llama";

    public int EmbeddingLength { get; init; } = 64;

    public int BlockCount { get; init; } = 2;

    public int HeadCount { get; init; } = 4;

    /// <summary>Key/value heads; fewer than <see cref="HeadCount"/> makes grouped-query attention. Null means equal.</summary>
    public int? HeadCountKv { get; init; }

    public int FeedForwardLength { get; init; } = 128;

    public int ContextLength { get; init; } = 256;

    /// <summary>Words added to the vocabulary (with every prefix) on top of the built-in ones.</summary>
    public IReadOnlyList<string> ExtraWords { get; init; } = [];

    /// <summary>Texts added as user-defined tokens (one token each, kept whole by the tokenizer and written out as text):
    /// a chat template's markers such as <c>&lt;tool_call&gt;</c> or <c>[TOOL_CALLS]</c>.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = [];

    /// <summary><see cref="GgmlType.F32"/> or <see cref="GgmlType.F16"/> for the matrices, or <see cref="GgmlType.Q8_0"/> /
    /// <see cref="GgmlType.Q4_0"/>, whose blocks are written directly and streamed into the file (bounded memory, for
    /// models of real size); norms are always F32, as llama.cpp's converter does.</summary>
    /// <remarks>Quantised matrices hold uniform random quants with one scale per matrix chosen so that each output of a
    /// matrix has about unit variance (1/√fan-in per weight), which keeps activations finite through any depth.
    /// Their dimensions must be multiples of 32.</remarks>
    public GgmlType WeightType { get; init; } = GgmlType.F32;

    public int Seed { get; init; } = 42;

    /// <summary>The Jinja chat template stored in the file; null leaves <c>tokenizer.chat_template</c> out.</summary>
    public string? ChatTemplate { get; init; } = TinyLlamaGguf.DefaultChatTemplate;

    /// <summary>Pads the vocabulary with synthetic word pieces (every lowercase string after <c>▁</c>, shortest first, so
    /// each piece's prefixes are pieces too) up to exactly this many tokens; null keeps only the built-in and extra words.</summary>
    public int? VocabularySize { get; init; }

    /// <summary>Leaves <c>output.weight</c> out, so llama.cpp projects onto the vocabulary with <c>token_embd.weight</c>
    /// (tied embeddings, as in Llama 3.2 1B).</summary>
    public bool TiedEmbeddings { get; init; }
}
