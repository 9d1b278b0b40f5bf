namespace Maas.Serving.Generation.Tools;

/// <summary>The calls read from the text after a family's opening marker (or a bare JSON answer), and where that text ends.</summary>
/// <param name="Calls">Each call object read so far; the last may be incomplete or invalid.</param>
/// <param name="End">Just past the region (its closing marker included); -1 while it continues.</param>
/// <param name="Invalid">The text is not that family's tool-call syntax.</param>
internal readonly record struct ToolCallRegion(List<PartialToolCall> Calls, int End, bool Invalid)
{
    private const string HermesClose = "</tool_call>";
    private static readonly string[] HermesKeys = ["arguments", "parameters"];
    private static readonly string[] LlamaKeys = ["parameters", "arguments"];

    public static ToolCallRegion Read(ToolCallFormat format, string text, bool final) => format switch
    {
        ToolCallFormat.Hermes => Hermes(text, final),
        ToolCallFormat.Mistral => Mistral(text, final),
        _ => Llama(text, final),
    };

    /// <summary><c>{…}</c> then <c>&lt;/tool_call&gt;</c> (a missing close at the very end is forgiven).</summary>
    private static ToolCallRegion Hermes(string text, bool final)
    {
        var calls = new List<PartialToolCall>();
        var (j, state) = ReadCall(text, PartialJson.SkipWhitespace(text, 0), final, HermesKeys, calls);
        if (state is not null)
        {
            return state.Value;
        }

        var rest = text.AsSpan(j);
        if (rest.StartsWith(HermesClose, StringComparison.Ordinal))
        {
            return new(calls, j + HermesClose.Length, false);
        }

        if (!HermesClose.AsSpan().StartsWith(rest, StringComparison.Ordinal))
        {
            return new(calls, -1, true);
        }

        return new(calls, final ? text.Length : -1, false);
    }

    /// <summary><c>[{…}, {…}]</c>.</summary>
    private static ToolCallRegion Mistral(string text, bool final)
    {
        var calls = new List<PartialToolCall>();
        var j = PartialJson.SkipWhitespace(text, 0);
        if (j >= text.Length)
        {
            return new(calls, -1, final);
        }

        if (text[j] != '[')
        {
            return new(calls, -1, true);
        }

        j = PartialJson.SkipWhitespace(text, j + 1);
        while (true)
        {
            (j, var state) = ReadCall(text, j, final, HermesKeys, calls);
            if (state is not null)
            {
                return state.Value;
            }

            if (j >= text.Length)
            {
                return new(calls, final ? text.Length : -1, false);
            }

            if (text[j] == ']')
            {
                return new(calls, j + 1, false);
            }

            if (text[j] != ',')
            {
                return new(calls, -1, true);
            }

            j = PartialJson.SkipWhitespace(text, j + 1);
        }
    }

    /// <summary><c>{…}</c>, optionally more separated by <c>;</c>; the region ends before anything else.</summary>
    private static ToolCallRegion Llama(string text, bool final)
    {
        var calls = new List<PartialToolCall>();
        var j = PartialJson.SkipWhitespace(text, 0);
        while (true)
        {
            (j, var state) = ReadCall(text, j, final, LlamaKeys, calls);
            if (state is not null)
            {
                return state.Value;
            }

            var afterCall = j;
            if (j < text.Length && text[j] == ';')
            {
                j = PartialJson.SkipWhitespace(text, j + 1);
            }

            if (j >= text.Length)
            {
                return new(calls, final ? text.Length : -1, false);
            }

            if (text[j] != '{')
            {
                return new(calls, afterCall, false);
            }
        }
    }

    /// <summary>Reads one call object at <paramref name="j"/>; returns the index after it and its trailing whitespace, or the region's state when it cannot go on.</summary>
    private static (int Next, ToolCallRegion? State) ReadCall(string text, int j, bool final, IReadOnlyList<string> keys, List<PartialToolCall> calls)
    {
        if (j >= text.Length)
        {
            return (j, new(calls, -1, final && calls.Count == 0));
        }

        if (text[j] != '{')
        {
            return (j, new(calls, -1, true));
        }

        var call = PartialToolCall.Read(text, j, final, keys);
        calls.Add(call);
        if (call.Invalid)
        {
            return (j, new(calls, -1, true));
        }

        return call.End < 0 ? (j, new(calls, -1, false)) : (PartialJson.SkipWhitespace(text, call.End), null);
    }
}
