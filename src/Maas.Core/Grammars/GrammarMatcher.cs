namespace Maas.Core.Grammars;

/// <summary>One sequence's position in a grammar: masks the logits before sampling and follows each sampled token.</summary>
/// <remarks>Used under the owner's lock, like the <see cref="GrammarVocabulary"/> it came from.</remarks>
public sealed class GrammarMatcher
{
    private readonly GrammarSession _session;
    private readonly GrammarVocabulary _vocabulary;
    private int _state;

    internal GrammarMatcher(GrammarSession session, GrammarVocabulary vocabulary)
    {
        _session = session;
        _vocabulary = vocabulary;
        _state = session.Automaton.Initial;
    }

    /// <summary>The output so far is a complete sentence: end tokens are allowed.</summary>
    public bool CanEnd => !Ended && _session.Automaton.CanEnd(_state);

    /// <summary>Nothing may follow the output so far: the generation is over.</summary>
    public bool IsComplete => Ended || _session.Automaton.IsComplete(_state);

    /// <summary>An end token was accepted.</summary>
    public bool Ended { get; private set; }

    /// <summary>The token to end with when the grammar allows no token of the vocabulary (the first end token, or 0).</summary>
    public int FallbackEndToken => _vocabulary.EndTokens.Count > 0 ? _vocabulary.EndTokens[0] : 0;

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool IsAllowed(int token) => !Ended && (uint)token < (uint)_vocabulary.VocabularySize && (Mask()[token >> 6] & (1UL << (token & 63))) != 0;

    /// <summary>Sets the logit of every token the grammar does not allow here to negative infinity; returns how many remain.</summary>
    public int ApplyMask(Span<float> logits)
    {
        var mask = Mask();
        var allowed = 0;
        for (var word = 0; word < mask.Length; word++)
        {
            var bits = mask[word];
            var start = word << 6;
            var end = Math.Min(start + 64, logits.Length);
            if (bits == ulong.MaxValue && end - start == 64)
            {
                allowed += 64;
                continue;
            }

            if (bits == 0)
            {
                logits[start..end].Fill(float.NegativeInfinity);
                continue;
            }

            allowed += System.Numerics.BitOperations.PopCount(bits);
            for (var i = start; i < end; i++)
            {
                if ((bits & (1UL << (i - start))) == 0)
                {
                    logits[i] = float.NegativeInfinity;
                }
            }
        }

        return allowed;
    }

    /// <summary>Follows a sampled token; throws when the grammar does not allow it.</summary>
    public void Accept(int token)
    {
        if (!IsAllowed(token))
        {
            throw new InvalidOperationException($"Token {token} is not allowed by the grammar here.");
        }

        var automaton = _session.Automaton;
        if (_vocabulary.IsEndToken(token))
        {
            Ended = true;
            return;
        }

        foreach (var b in _vocabulary.TokenText(token))
        {
            _state = automaton.Next(_state, b);
        }
    }

    private ulong[] Mask() => _session.Mask(_state);
}
