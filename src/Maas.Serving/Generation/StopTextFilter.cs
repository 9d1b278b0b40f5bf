using System.Text;

namespace Maas.Serving.Generation;

/// <summary>Turns a generation's token bytes into text deltas, cutting at the first stop string.</summary>
/// <remarks>
/// Bytes go through one UTF-8 decoder for the whole sequence, so a character split across tokens comes out
/// whole once its last byte arrives. Text that could be the start of a stop string is held back until the
/// next tokens show whether it is one; a match ends the text just before the stop string, which is never emitted.
/// </remarks>
internal sealed class StopTextFilter
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly IReadOnlyList<string> _stops;
    private readonly StringBuilder _held = new();
    private char[] _chars = new char[64];

    public StopTextFilter(IReadOnlyList<string> stops)
    {
        _stops = stops.Where(s => s.Length > 0).ToList();
    }

    /// <summary>True once a stop string was found; later input is ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds one token's bytes; returns the text that is now certain to be output.</summary>
    public string Push(ReadOnlySpan<byte> bytes) => Stopped ? string.Empty : Release(Decode(bytes, flush: false));

    /// <summary>Ends the text: flushes a dangling partial character and everything held back.</summary>
    public string Flush()
    {
        if (Stopped)
        {
            return string.Empty;
        }

        var text = Release(Decode([], flush: true));
        if (Stopped)
        {
            return text;
        }

        var rest = _held.ToString();
        _held.Clear();
        return text + rest;
    }

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _decoder.GetCharCount(bytes, flush);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _chars, flush);
        return new string(_chars, 0, count);
    }

    private string Release(string text)
    {
        if (_stops.Count == 0)
        {
            return text;
        }

        _held.Append(text);
        var pending = _held.ToString();
        var cut = -1;
        foreach (var stop in _stops)
        {
            var at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }

        if (cut >= 0)
        {
            Stopped = true;
            _held.Clear();
            return pending[..cut];
        }

        var keep = HeldSuffixLength(pending);
        _held.Clear();
        _held.Append(pending, pending.Length - keep, keep);
        return pending[..^keep];
    }

    /// <summary>The longest end of <paramref name="text"/> that some stop string starts with.</summary>
    private int HeldSuffixLength(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
