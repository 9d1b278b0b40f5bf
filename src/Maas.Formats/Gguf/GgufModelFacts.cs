namespace Maas.Formats.Gguf;

/// <summary>The facts about a model that a GGUF header states or implies, gathered for manifests and <c>maas inspect</c>.</summary>
/// <remarks>
/// Every fact is optional because GGUF files in the wild omit keys freely. <see cref="Quantization"/> prefers the
/// file's own <c>general.file_type</c> name and falls back to the tensor type holding the most elements, which is what
/// the file type describes anyway (norms stay F32 in every quantisation).
/// </remarks>
public sealed record GgufModelFacts
{
    /// <summary>Architectures that produce embeddings rather than text.</summary>
    private static readonly HashSet<string> EmbeddingArchitectures = new(StringComparer.Ordinal)
    {
        "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "t5encoder", "neo-bert", "modern-bert",
    };

    private static readonly (string Role, string Key)[] SpecialTokenKeys =
    [
        ("bos", GgufKeys.BosTokenId),
        ("eos", GgufKeys.EosTokenId),
        ("eot", GgufKeys.EotTokenId),
        ("padding", GgufKeys.PaddingTokenId),
        ("unknown", GgufKeys.UnknownTokenId),
    ];

    public string? Architecture { get; init; }

    public string? Name { get; init; }

    /// <summary>The sum of every tensor's element count.</summary>
    public long ParameterCount { get; init; }

    /// <summary><c>general.file_type</c> as stored.</summary>
    public long? FileType { get; init; }

    /// <summary>The tensor type holding the most elements; null for a file without tensors.</summary>
    public GgmlType? DominantTensorType { get; init; }

    /// <summary>A name such as <c>Q4_K_M</c> or <c>F16</c>; null when neither the file type nor the tensors say.</summary>
    public string? Quantization { get; init; }

    public long? ContextLength { get; init; }

    public long? EmbeddingLength { get; init; }

    public long? BlockCount { get; init; }

    public long? HeadCount { get; init; }

    /// <summary><c>{arch}.pooling_type</c>, which only embedding models carry.</summary>
    public long? PoolingType { get; init; }

    public string? ChatTemplate { get; init; }

    public string? TokenizerModel { get; init; }

    public int? VocabularySize { get; init; }

    public IReadOnlyList<GgufSpecialToken> SpecialTokens { get; init; } = [];

    /// <summary>Whether the model makes embeddings: it declares a pooling type or has an encoder-only architecture.</summary>
    public bool IsEmbeddingModel => PoolingType is not null || (Architecture is { } a && EmbeddingArchitectures.Contains(a));

    /// <summary>The token in <paramref name="role"/>, or null.</summary>
    public GgufSpecialToken? SpecialToken(string role) => SpecialTokens.FirstOrDefault(t => t.Role == role);

    public static GgufModelFacts From(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var architecture = file.GetString(GgufKeys.Architecture);
        long? ArchitectureInt(string key) => architecture is null ? null : file.GetInt64(GgufKeys.ForArchitecture(architecture, key));

        var tokens = file.Get(GgufKeys.Tokens)?.AsArray<string>();
        var fileType = file.GetInt64(GgufKeys.FileType);
        var dominant = file.Tensors.Count == 0
            ? (GgmlType?)null
            : file.Tensors.GroupBy(t => t.Type).MaxBy(g => g.Sum(t => t.ElementCount))!.Key;

        return new GgufModelFacts
        {
            Architecture = architecture,
            Name = file.GetString(GgufKeys.Name),
            ParameterCount = file.Tensors.Sum(t => t.ElementCount),
            FileType = fileType,
            DominantTensorType = dominant,
            Quantization = (fileType is { } f ? GgufFileTypes.Name(f) : null) ?? dominant?.ToString(),
            ContextLength = ArchitectureInt(GgufKeys.ContextLength),
            EmbeddingLength = ArchitectureInt(GgufKeys.EmbeddingLength),
            BlockCount = ArchitectureInt(GgufKeys.BlockCount),
            HeadCount = ArchitectureInt(GgufKeys.HeadCount),
            PoolingType = ArchitectureInt(GgufKeys.PoolingType),
            ChatTemplate = file.GetString(GgufKeys.ChatTemplate),
            TokenizerModel = file.GetString(GgufKeys.TokenizerModel),
            VocabularySize = tokens?.Count,
            SpecialTokens = SpecialTokenKeys
                .Where(k => file.GetInt64(k.Key) is not null)
                .Select(k => Token(k.Role, file.GetInt64(k.Key)!.Value, tokens))
                .ToList(),
        };
    }

    private static GgufSpecialToken Token(string role, long id, IReadOnlyList<string>? tokens) =>
        new(role, id, tokens is not null && id >= 0 && id < tokens.Count ? tokens[(int)id] : null);
}
