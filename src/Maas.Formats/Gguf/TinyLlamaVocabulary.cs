namespace Maas.Formats.Gguf;

/// <summary>A SentencePiece-style vocabulary for <see cref="TinyLlamaGguf"/>: specials, the 256 byte tokens, then word pieces.</summary>
/// <remarks>
/// llama.cpp's SentencePiece tokenizer starts from single characters and merges neighbours only when the merged text
/// is a token, so a word is reachable only if each of its prefixes is in the vocabulary; every word therefore brings
/// its prefixes along. Anything else falls back to the byte tokens, so any text tokenizes.
/// </remarks>
internal static class TinyLlamaVocabulary
{
    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;

    /// <summary>Token types as llama.cpp numbers them.</summary>
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;
    public const int Byte = 6;

    public const string SpaceMarker = "\u2581";

    private static readonly string[] BuiltInWords =
    [
        "the", "a", "and", "of", "to", "in", "is", "it", "you", "that", "hello", "world", "model", "token", "llama",
        "tiny", "test", "one", "two", "three", "yes", "no", "user", "assistant", "system",
    ];

    public static (string[] Tokens, float[] Scores, int[] Types) Build(IEnumerable<string> extraWords, IEnumerable<string>? specialTokens = null)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { Unknown, Control, Control };

        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(Byte);
        }

        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        void AddPiece(string piece)
        {
            if (piece.Length > 0 && seen.Add(piece))
            {
                tokens.Add(piece);
                types.Add(Normal);
            }
        }

        AddPiece(SpaceMarker);
        foreach (var c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()")
        {
            AddPiece(c.ToString());
        }

        foreach (var word in BuiltInWords.Concat(extraWords))
        {
            var piece = SpaceMarker + word.Replace(" ", SpaceMarker, StringComparison.Ordinal);
            for (var length = 2; length <= piece.Length; length++)
            {
                AddPiece(piece[..length]);
            }
        }

        // Markers go last so that every other token keeps its id whether or not a model has them.
        foreach (var special in (specialTokens ?? []).Where(seen.Add))
        {
            tokens.Add(special);
            types.Add(UserDefined);
        }

        // Later pieces score lower, as in a SentencePiece model where scores are log-frequencies; specials and bytes score 0.
        var scores = tokens.Select((_, i) => types[i] == Normal ? -(float)i : 0f).ToArray();
        return (tokens.ToArray(), scores, types.ToArray());
    }
}
