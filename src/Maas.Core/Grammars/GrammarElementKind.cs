namespace Maas.Core.Grammars;

/// <summary>What one slot of a compiled grammar's element array holds.</summary>
internal enum GrammarElementKind : byte
{
    /// <summary>End of an alternative: the rule is done, return to the caller's continuation.</summary>
    End,

    /// <summary>One code point from a character set (argument: the set's index).</summary>
    Chars,

    /// <summary>A reference to a rule (argument: the rule's index).</summary>
    Rule,
}
