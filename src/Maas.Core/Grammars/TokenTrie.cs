namespace Maas.Core.Grammars;

/// <summary>A byte trie over a vocabulary's token texts, flattened into arrays for a fast depth-first walk.</summary>
/// <remarks>Node 0 is the root (the empty prefix). Tokens with no bytes (control tokens) are left out.</remarks>
internal sealed class TokenTrie
{
    public TokenTrie(int vocabularySize, Func<int, byte[]> tokenBytes)
    {
        var children = new List<Dictionary<byte, int>?> { null };
        var tokensAt = new List<List<int>?> { null };
        var depth = 0;
        for (var token = 0; token < vocabularySize; token++)
        {
            var bytes = tokenBytes(token);
            if (bytes.Length == 0)
            {
                continue;
            }

            depth = Math.Max(depth, bytes.Length);
            var node = 0;
            foreach (var b in bytes)
            {
                var map = children[node] ??= [];
                if (!map.TryGetValue(b, out var child))
                {
                    child = children.Count;
                    children.Add(null);
                    tokensAt.Add(null);
                    map[b] = child;
                }

                node = child;
            }

            (tokensAt[node] ??= []).Add(token);
        }

        NodeCount = children.Count;
        MaxDepth = depth;
        ChildStart = new int[NodeCount + 1];
        TokenStart = new int[NodeCount + 1];
        var edges = new List<(byte, int)>();
        var tokens = new List<int>();
        for (var node = 0; node < NodeCount; node++)
        {
            ChildStart[node] = edges.Count;
            TokenStart[node] = tokens.Count;
            if (children[node] is { } map)
            {
                edges.AddRange(map.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)));
            }

            if (tokensAt[node] is { } list)
            {
                tokens.AddRange(list);
            }
        }

        ChildStart[NodeCount] = edges.Count;
        TokenStart[NodeCount] = tokens.Count;
        ChildByte = edges.Select(e => e.Item1).ToArray();
        ChildNode = edges.Select(e => e.Item2).ToArray();
        Tokens = [.. tokens];
    }

    public int NodeCount { get; }

    /// <summary>Bytes in the longest token.</summary>
    public int MaxDepth { get; }

    /// <summary>Node n's children are edges ChildStart[n] .. ChildStart[n + 1] - 1.</summary>
    public int[] ChildStart { get; }

    public byte[] ChildByte { get; }

    public int[] ChildNode { get; }

    /// <summary>Tokens whose whole text ends at node n: Tokens[TokenStart[n] .. TokenStart[n + 1] - 1].</summary>
    public int[] TokenStart { get; }

    public int[] Tokens { get; }
}
