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

    /// <summary><see cref="GgmlType.F32"/> or <see cref="GgmlType.F16"/> for the matrices; norms are always F32, as llama.cpp's converter does.</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F32;

    public int Seed { get; init; } = 42;

    /// <summary>The Jinja chat template stored in the file; null leaves <c>tokenizer.chat_template</c> out.</summary>
    public string? ChatTemplate { get; init; } = TinyLlamaGguf.DefaultChatTemplate;
}
