using System.Runtime.InteropServices;

namespace Maas.Core.Grammars;

/// <summary>The pushdown matcher of one grammar, explored lazily and memoised: interned stacks, interned states and a
/// byte transition table per state, so that text the grammar has seen before costs one array read per byte.</summary>
/// <remarks>
/// A stack is a linked list of element positions (the top is the character set to match next; below it, where to
/// continue when the current rule ends), interned so that equal stacks are one id. A state is the sorted set of
/// stack tops that are alive after the bytes so far, whether the grammar may end there, and a partly read UTF-8
/// character. Right recursion (<c>x*</c>) does not grow stacks: a rule reference that is the last element of its
/// alternative continues straight at the caller's continuation (a tail call). Not thread-safe: one owner at a time
/// (the generator's step lock).
/// </remarks>
internal sealed class GrammarAutomaton
{
    /// <summary>No state: the bytes so far cannot start a sentence of the grammar.</summary>
    public const int Dead = -1;

    private const int Unknown = -2;

    private readonly GbnfGrammar _grammar;
    private readonly List<int> _nodePosition = [];
    private readonly List<int> _nodeNext = [];
    private readonly Dictionary<long, int> _nodes = [];
    private readonly List<StateInfo> _states = [];
    private readonly Dictionary<StateKey, int> _stateIds = [];
    private readonly List<int[]?> _transitions = [];
    private readonly HashSet<long> _visited = [];
    private readonly List<int> _tops = [];

    public GrammarAutomaton(GbnfGrammar grammar)
    {
        _grammar = grammar;
        _visited.Clear();
        _tops.Clear();
        var canEnd = false;
        foreach (var start in grammar.Alternatives[grammar.Root])
        {
            canEnd |= Expand(start, -1);
        }

        Initial = Intern(_tops, canEnd, 0, 0, 0);
    }

    public int Initial { get; }

    public int StateCount => _states.Count;

    public GbnfGrammar Grammar => _grammar;

    /// <summary>The grammar may end here (EOS allowed): a complete sentence and no partly read character.</summary>
    public bool CanEnd(int state) => _states[state].CanEnd && _states[state].Pending == 0;

    /// <summary>The grammar must end here: nothing can follow.</summary>
    public bool IsComplete(int state) => _states[state].Tops.Length == 0 && _states[state].Pending == 0;

    /// <summary>The state after one more byte, or <see cref="Dead"/>.</summary>
    public int Next(int state, byte value)
    {
        var row = _transitions[state];
        if (row is null)
        {
            row = new int[256];
            Array.Fill(row, Unknown);
            _transitions[state] = row;
        }

        var next = row[value];
        if (next == Unknown)
        {
            next = Compute(state, value);
            row[value] = next;
        }

        return next;
    }

    private int Compute(int state, byte value)
    {
        var info = _states[state];
        int codePoint;
        if (info.Pending > 0)
        {
            if ((value & 0xC0) != 0x80)
            {
                return Dead;
            }

            codePoint = (info.Partial << 6) | (value & 0x3F);
            if (info.Pending > 1)
            {
                return Partial(info, codePoint, info.Pending - 1, info.Minimum);
            }

            // Overlong forms and UTF-16 surrogates are not UTF-8 (an overlong "{" must not pass for "{").
            if (codePoint < info.Minimum || codePoint is >= 0xD800 and <= 0xDFFF or > 0x10FFFF)
            {
                return Dead;
            }
        }
        else if (value < 0x80)
        {
            codePoint = value;
        }
        else if (value is >= 0xC2 and <= 0xDF)
        {
            return Partial(info, value & 0x1F, 1, 0x80);
        }
        else if (value is >= 0xE0 and <= 0xEF)
        {
            return Partial(info, value & 0x0F, 2, 0x800);
        }
        else if (value is >= 0xF0 and <= 0xF4)
        {
            return Partial(info, value & 0x07, 3, 0x10000);
        }
        else
        {
            return Dead;
        }

        _visited.Clear();
        _tops.Clear();
        var canEnd = false;
        foreach (var top in info.Tops)
        {
            var position = _nodePosition[top];
            if (_grammar.CharSets[_grammar.Arguments[position]].Contains(codePoint))
            {
                canEnd |= Expand(position + 1, _nodeNext[top]);
            }
        }

        return _tops.Count == 0 && !canEnd ? Dead : Intern(_tops, canEnd, 0, 0, 0);
    }

    // A lead byte or continuation byte that leaves the character unfinished: keep the tops that can still match it.
    private int Partial(StateInfo info, int bits, int pending, int minimum)
    {
        var low = Math.Max(bits << (6 * pending), minimum);
        var high = Math.Min((bits << (6 * pending)) | ((1 << (6 * pending)) - 1), 0x10FFFF);

        // Only surrogates left (ED A0..BF): no valid character can complete it, so no token may start it.
        if (low > high || (low >= 0xD800 && high <= 0xDFFF))
        {
            return Dead;
        }

        _tops.Clear();
        foreach (var top in info.Tops)
        {
            if (_grammar.CharSets[_grammar.Arguments[_nodePosition[top]]].Intersects(low, high))
            {
                _tops.Add(top);
            }
        }

        return _tops.Count == 0 ? Dead : Intern(_tops, false, bits, pending, minimum);
    }

    // Adds every stack top reachable from (position, next) without consuming a character; true when the stack empties.
    private bool Expand(int position, int next)
    {
        if (!_visited.Add(((long)position << 32) | (uint)next))
        {
            return false;
        }

        switch (_grammar.Kinds[position])
        {
            case GrammarElementKind.End:
                return next < 0 || Expand(_nodePosition[next], _nodeNext[next]);
            case GrammarElementKind.Chars:
                _tops.Add(Node(position, next));
                return false;
            default:
                var continuation = _grammar.Kinds[position + 1] == GrammarElementKind.End ? next : Node(position + 1, next);
                var canEnd = false;
                foreach (var start in _grammar.Alternatives[_grammar.Arguments[position]])
                {
                    canEnd |= Expand(start, continuation);
                }

                return canEnd;
        }
    }

    private int Node(int position, int next)
    {
        var key = ((long)position << 32) | (uint)next;
        if (!_nodes.TryGetValue(key, out var id))
        {
            id = _nodePosition.Count;
            _nodePosition.Add(position);
            _nodeNext.Add(next);
            _nodes[key] = id;
        }

        return id;
    }

    private int Intern(List<int> tops, bool canEnd, int partial, int pending, int minimum)
    {
        var sorted = CollectionsMarshal.AsSpan(tops);
        sorted.Sort();
        var unique = sorted.Length == 0 ? 0 : 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[unique - 1])
            {
                sorted[unique++] = sorted[i];
            }
        }

        var key = new StateKey(sorted[..unique].ToArray(), canEnd, (partial << 2) | pending);
        if (!_stateIds.TryGetValue(key, out var id))
        {
            id = _states.Count;
            _states.Add(new StateInfo(key.Tops, canEnd, partial, pending, minimum));
            _transitions.Add(null);
            _stateIds[key] = id;
        }

        return id;
    }

    private readonly record struct StateInfo(int[] Tops, bool CanEnd, int Partial, int Pending, int Minimum);

    // The minimum follows from the lead byte, which Partial and Pending already tell apart (the lead's value bits
    // are kept in Partial), so it needs no place in the key.
    private readonly struct StateKey(int[] tops, bool canEnd, int partial) : IEquatable<StateKey>
    {
        public int[] Tops { get; } = tops;

        public bool CanEnd { get; } = canEnd;

        public int Partial { get; } = partial;

        public bool Equals(StateKey other) => CanEnd == other.CanEnd && Partial == other.Partial && Tops.AsSpan().SequenceEqual(other.Tops);

        public override bool Equals(object? obj) => obj is StateKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(CanEnd);
            hash.Add(Partial);
            foreach (var top in Tops)
            {
                hash.Add(top);
            }

            return hash.ToHashCode();
        }
    }
}
