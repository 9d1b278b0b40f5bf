namespace Maas.Core.Grammars;

/// <summary>One grammar over one vocabulary: its automaton and the token mask of every state met so far.</summary>
/// <remarks>
/// A mask is computed once per automaton state by walking the vocabulary trie from that state (subtrees that the
/// grammar rejects are skipped whole) and then served from the cache; JSON grammars revisit a few hundred states,
/// so after the first requests a step costs a cache read plus one pass over the logits. Masks beyond
/// <see cref="MaxMaskBytes"/> empty the cache (they are recomputed on demand). Not thread-safe.
/// </remarks>
internal sealed class GrammarSession
{
    public const long MaxMaskBytes = 64L << 20;

    private readonly GrammarVocabulary _vocabulary;
    private readonly List<ulong[]?> _masks = [];
    private readonly Stack<(int Node, int State)> _walk = new();
    private long _maskBytes;

    public GrammarSession(GbnfGrammar grammar, GrammarVocabulary vocabulary)
    {
        Automaton = new GrammarAutomaton(grammar);
        _vocabulary = vocabulary;
    }

    public GrammarAutomaton Automaton { get; }

    /// <summary>Masks computed (not served from the cache) since the session began.</summary>
    public long MasksComputed { get; private set; }

    /// <summary>Bit t is set when token t keeps the output a prefix of a sentence of the grammar.</summary>
    public ulong[] Mask(int state)
    {
        while (_masks.Count <= state)
        {
            _masks.Add(null);
        }

        if (_masks[state] is { } cached)
        {
            return cached;
        }

        var mask = Compute(state);
        _maskBytes += mask.Length * sizeof(ulong);
        if (_maskBytes > MaxMaskBytes)
        {
            _masks.Clear();
            _maskBytes = mask.Length * sizeof(ulong);
            while (_masks.Count <= state)
            {
                _masks.Add(null);
            }
        }

        _masks[state] = mask;
        MasksComputed++;
        return mask;
    }

    private ulong[] Compute(int state)
    {
        var trie = _vocabulary.Trie;
        var mask = new ulong[(_vocabulary.VocabularySize + 63) / 64];
        if (Automaton.CanEnd(state))
        {
            foreach (var token in _vocabulary.EndTokens)
            {
                mask[token >> 6] |= 1UL << (token & 63);
            }
        }

        _walk.Clear();
        _walk.Push((0, state));
        while (_walk.Count > 0)
        {
            var (node, current) = _walk.Pop();
            for (var edge = trie.ChildStart[node]; edge < trie.ChildStart[node + 1]; edge++)
            {
                var next = Automaton.Next(current, trie.ChildByte[edge]);
                if (next == GrammarAutomaton.Dead)
                {
                    continue;
                }

                var child = trie.ChildNode[edge];
                for (var t = trie.TokenStart[child]; t < trie.TokenStart[child + 1]; t++)
                {
                    var token = trie.Tokens[t];
                    mask[token >> 6] |= 1UL << (token & 63);
                }

                if (trie.ChildStart[child] < trie.ChildStart[child + 1])
                {
                    _walk.Push((child, next));
                }
            }
        }

        return mask;
    }
}
