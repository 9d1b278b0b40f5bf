namespace Maas.Serving.Generation.Tools;

/// <summary>What is known so far of one <c>{"name": …, "arguments": {…}}</c> object in the model's output.</summary>
/// <param name="Name">The function name once its string is complete.</param>
/// <param name="ArgumentsStart">Where the arguments object starts; -1 before its key was read.</param>
/// <param name="ArgumentsEnd">Just past the arguments object; -1 while it is incomplete.</param>
/// <param name="NameFirst">The name was read before the arguments started, so the arguments can be streamed.</param>
/// <param name="End">Just past the whole object; -1 while it is incomplete.</param>
/// <param name="Invalid">The text is not a call object.</param>
internal readonly record struct PartialToolCall(string? Name, int ArgumentsStart, int ArgumentsEnd, bool NameFirst, int End, bool Invalid)
{
    public static PartialToolCall Bad => new(null, -1, -1, false, -1, true);

    /// <summary>Reads the object starting at <paramref name="i"/> (which must be <c>{</c>).</summary>
    /// <param name="text">The text so far.</param>
    /// <param name="i">The object's first character.</param>
    /// <param name="final">No more text will come.</param>
    /// <param name="argumentKeys">Keys holding the arguments (<c>arguments</c>, <c>parameters</c>).</param>
    public static PartialToolCall Read(string text, int i, bool final, IReadOnlyList<string> argumentKeys)
    {
        string? name = null;
        int argumentsStart = -1, argumentsEnd = -1;
        var nameFirst = false;
        var j = PartialJson.SkipWhitespace(text, i + 1);
        while (true)
        {
            if (j >= text.Length)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            if (text[j] == '}' && argumentsStart < 0 && name is null)
            {
                return Bad;
            }

            if (text[j] != '"')
            {
                return Bad;
            }

            var keyEnd = PartialJson.ScanValue(text, j, final);
            if (keyEnd == PartialJson.Invalid)
            {
                return Bad;
            }

            if (keyEnd == PartialJson.Incomplete)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            var key = PartialJson.DecodeString(text, j, keyEnd);
            j = PartialJson.SkipWhitespace(text, keyEnd);
            if (j >= text.Length)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            if (text[j] != ':')
            {
                return Bad;
            }

            j = PartialJson.SkipWhitespace(text, j + 1);
            if (j >= text.Length)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            var isName = key == "name";
            var isArguments = argumentsStart < 0 && argumentKeys.Contains(key);
            if ((isName && text[j] != '"') || (isArguments && text[j] != '{'))
            {
                return Bad;
            }

            if (isArguments)
            {
                argumentsStart = j;
                nameFirst = name is not null;
            }

            var valueEnd = PartialJson.ScanValue(text, j, final);
            if (valueEnd == PartialJson.Invalid)
            {
                return Bad;
            }

            if (valueEnd == PartialJson.Incomplete)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            if (isName)
            {
                name = PartialJson.DecodeString(text, j, valueEnd);
            }
            else if (isArguments)
            {
                argumentsEnd = valueEnd;
            }

            j = PartialJson.SkipWhitespace(text, valueEnd);
            if (j >= text.Length)
            {
                return new(name, argumentsStart, argumentsEnd, nameFirst, -1, false);
            }

            if (text[j] == '}')
            {
                return name is null ? Bad : new(name, argumentsStart, argumentsEnd, nameFirst, j + 1, false);
            }

            if (text[j] != ',')
            {
                return Bad;
            }

            j = PartialJson.SkipWhitespace(text, j + 1);
        }
    }
}
