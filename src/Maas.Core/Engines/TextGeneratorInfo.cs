namespace Maas.Core.Engines;

/// <summary>Facts a generator states about itself and about the context it was loaded with.</summary>
/// <param name="ContextLength">The model's trained context length.</param>
/// <param name="VocabularySize">Number of tokens.</param>
/// <param name="EndOfGenerationTokens">Tokens that end a generation (EOS, EOT).</param>
/// <param name="ChatTemplate">The file's <c>tokenizer.chat_template</c>, if any.</param>
/// <param name="KvCacheCapacity">KV-cache cells shared by all sequences of the loaded context.</param>
/// <param name="MaxSequences">Sequences the loaded context can hold at once.</param>
public sealed record TextGeneratorInfo(
    int ContextLength,
    int VocabularySize,
    IReadOnlyList<int> EndOfGenerationTokens,
    string? ChatTemplate,
    int KvCacheCapacity,
    int MaxSequences);
