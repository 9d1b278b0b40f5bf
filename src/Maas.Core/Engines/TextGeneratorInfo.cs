namespace Maas.Core.Engines;

/// <summary>Facts a generator states about itself.</summary>
public sealed record TextGeneratorInfo(
    int ContextLength,
    int VocabularySize,
    IReadOnlyList<int> EndOfGenerationTokens,
    string? ChatTemplate);
