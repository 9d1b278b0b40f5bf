namespace Maas.Serving.Generation.Templates;

/// <summary>Splits template source into text, outputs and statements, applying whitespace control.</summary>
/// <remarks>
/// Follows the settings Hugging Face renders chat templates with: <c>trim_blocks</c> (the newline after a
/// statement is dropped) and <c>lstrip_blocks</c> (spaces before a statement on its line are dropped), plus the
/// explicit <c>{%-</c> / <c>-%}</c> markers, which strip all whitespace on that side. Comments are removed.
/// </remarks>
internal static class TemplateLexer
{
    public static List<TemplateSegment> Split(string source)
    {
        var segments = new List<TemplateSegment>();
        var position = 0;
        var stripNextLeading = false;
        var trimNextNewline = false;
        while (position < source.Length)
        {
            var open = FindOpen(source, position);
            var text = source[position..(open < 0 ? source.Length : open)];
            if (stripNextLeading)
            {
                text = text.TrimStart();
            }
            else if (trimNextNewline)
            {
                text = text.StartsWith("\r\n", StringComparison.Ordinal) ? text[2..] : text.StartsWith('\n') ? text[1..] : text;
            }

            if (open < 0)
            {
                Add(segments, text);
                break;
            }

            var marker = source[open + 1];
            var close = marker switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var end = source.IndexOf(close, open + 2, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new TemplateSyntaxException($"Unclosed '{{{marker}' at offset {open}.");
            }

            var inner = source[(open + 2)..end];
            var stripBefore = inner.StartsWith('-');
            var stripAfter = inner.EndsWith('-');
            inner = inner[(stripBefore ? 1 : 0)..^(stripAfter && inner.Length > (stripBefore ? 1 : 0) ? 1 : 0)];
            if (stripBefore)
            {
                text = text.TrimEnd();
            }
            else if (marker != '{')
            {
                text = StripLineIndent(text);
            }

            Add(segments, text);
            if (marker == '{')
            {
                segments.Add(new TemplateSegment(SegmentKind.Output, inner.Trim()));
            }
            else if (marker == '%')
            {
                segments.Add(new TemplateSegment(SegmentKind.Statement, inner.Trim()));
            }

            stripNextLeading = stripAfter;
            trimNextNewline = marker != '{';
            position = end + 2;
        }

        return segments;
    }

    private static int FindOpen(string source, int from)
    {
        while (true)
        {
            var at = source.IndexOf('{', from);
            if (at < 0 || at + 1 >= source.Length)
            {
                return -1;
            }

            if (source[at + 1] is '{' or '%' or '#')
            {
                return at;
            }

            from = at + 1;
        }
    }

    /// <summary>lstrip_blocks: drops spaces and tabs between the last newline and a statement.</summary>
    private static string StripLineIndent(string text)
    {
        var cut = text.Length;
        while (cut > 0 && text[cut - 1] is ' ' or '\t')
        {
            cut--;
        }

        return cut == 0 || text[cut - 1] == '\n' ? text[..cut] : text;
    }

    private static void Add(List<TemplateSegment> segments, string text)
    {
        if (text.Length > 0)
        {
            segments.Add(new TemplateSegment(SegmentKind.Text, text));
        }
    }
}
