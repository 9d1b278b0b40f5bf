namespace Maas.Core.Grammars;

/// <summary>A model's vocabulary prepared for grammar masks: every token's UTF-8 bytes in a trie, read once.</summary>
/// <remarks>
/// An engine builds one per loaded model (on first use: it reads every token's text) and calls
/// <see cref="CreateMatcher"/> per constrained sequence. Automata and mask caches are kept per grammar text (the
/// most recent <see cref="MaxSessions"/>), so requests with the same schema share their masks. Not thread-safe:
/// the owner serialises calls (a generator's step lock) and uses matchers under the same lock.
/// </remarks>
public sealed class GrammarVocabulary
{
    /// <summary>Grammars whose automata and masks are kept.</summary>
    public const int MaxSessions = 32;

    /// <summary>An automaton that has interned this many states (deeply nested recursive output) is not reused for new sequences.</summary>
    public const int MaxStatesPerSession = 200_000;

    private readonly Dictionary<string, (GrammarSession Session, long LastUse)> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<int> _ends;
    private readonly byte[][] _texts;
    private long _uses;

    public GrammarVocabulary(int vocabularySize, Func<int, byte[]> tokenBytes, IEnumerable<int> endTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenBytes);
        ArgumentNullException.ThrowIfNull(endTokens);
        VocabularySize = vocabularySize;
        EndTokens = [.. endTokens.Where(t => (uint)t < (uint)vocabularySize)];
        _ends = [.. EndTokens];
        _texts = new byte[vocabularySize][];
        for (var token = 0; token < vocabularySize; token++)
        {
            _texts[token] = _ends.Contains(token) ? [] : tokenBytes(token);
        }

        Trie = new TokenTrie(vocabularySize, t => _texts[t]);
    }

    public int VocabularySize { get; }

    /// <summary>Tokens that end a generation: allowed exactly where the grammar may end.</summary>
    public IReadOnlyList<int> EndTokens { get; }

    internal TokenTrie Trie { get; }

    internal bool IsEndToken(int token) => _ends.Contains(token);

    internal byte[] TokenText(int token) => _texts[token];

    /// <summary>A matcher at the start of <paramref name="grammar"/>, sharing cached masks with earlier matchers of the same grammar text.</summary>
    public GrammarMatcher CreateMatcher(GbnfGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        var use = ++_uses;
        if (!_sessions.TryGetValue(grammar.Text, out var entry) || entry.Session.Automaton.StateCount > MaxStatesPerSession)
        {
            if (_sessions.Count >= MaxSessions && !_sessions.ContainsKey(grammar.Text))
            {
                var oldest = _sessions.MinBy(s => s.Value.LastUse).Key;
                _sessions.Remove(oldest);
            }

            entry = (new GrammarSession(grammar, this), use);
        }

        _sessions[grammar.Text] = (entry.Session, use);
        return new GrammarMatcher(entry.Session, this);
    }
}
