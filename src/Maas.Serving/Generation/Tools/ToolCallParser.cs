using System.Security.Cryptography;
using System.Text;

namespace Maas.Serving.Generation.Tools;

/// <summary>Turns a model's output, as it streams, into content and tool calls in one family's syntax.</summary>
/// <remarks>
/// Text outside calls is content. Text that could be the start of an opening marker (<c>&lt;tool_c</c>) is held back
/// until it is known not to be one, and whitespace next to calls is dropped. A call is announced (id and name) as soon
/// as its name is complete and its arguments have started, then the arguments follow in fragments as they arrive;
/// when the model writes the arguments before the name, the whole call is sent once its object is complete. Text after
/// an opening marker that turns out not to be a call goes back to content, unless part of a call was already sent:
/// then the call keeps what was sent and the rest of that text is dropped (output enforced by a grammar never does this).
/// Feeding the whole text at once and calling <see cref="Finish"/> gives the same pieces a stream gets, merged.
/// </remarks>
public sealed class ToolCallParser
{
    private const string PythonTag = "<|python_tag|>";

    private readonly ToolCallFormat _format;
    private readonly Func<string> _newId;
    private readonly string[] _openers;
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _region = new();
    private string _heldWhitespace = string.Empty;
    private string? _opener;
    private bool _bareJsonAllowed;
    private int _regionCalls;
    private int _argumentsSent;

    /// <param name="format">The family's syntax.</param>
    /// <param name="newId">Makes call ids; null: <c>call_</c> and 24 random characters.</param>
    public ToolCallParser(ToolCallFormat format, Func<string>? newId = null)
    {
        _format = format;
        _newId = newId ?? NewId;
        _openers = format switch
        {
            ToolCallFormat.Hermes => ["<tool_call>"],
            ToolCallFormat.Mistral => ["[TOOL_CALLS]"],
            _ => [PythonTag],
        };
        _bareJsonAllowed = format == ToolCallFormat.Llama3Json;
    }

    /// <summary>Tool calls started so far.</summary>
    public int CallCount { get; private set; }

    /// <summary>Adds generated text; what can be told already is appended to <paramref name="output"/>.</summary>
    public void Feed(string text, List<ToolCallDelta> output)
    {
        ArgumentNullException.ThrowIfNull(text);
        (_opener is null ? _pending : _region).Append(text);
        Process(final: false, output);
    }

    /// <summary>The generation ended: everything held back is settled.</summary>
    public void Finish(List<ToolCallDelta> output)
    {
        Process(final: true, output);
        if (CallCount == 0 && _heldWhitespace.Length > 0)
        {
            output.Add(ToolCallDelta.Text(_heldWhitespace));
        }

        _heldWhitespace = string.Empty;
    }

    /// <summary>Merges a parser's pieces into the content and the calls of a whole answer.</summary>
    public static (string Content, IReadOnlyList<ChatToolCall> Calls) Merge(IEnumerable<ToolCallDelta> deltas)
    {
        var content = new StringBuilder();
        var calls = new List<(string Id, string Name, StringBuilder Arguments)>();
        foreach (var delta in deltas)
        {
            if (delta.IsContent)
            {
                content.Append(delta.Content);
            }
            else if (delta.Id is not null)
            {
                calls.Add((delta.Id, delta.Name!, new StringBuilder(delta.Arguments)));
            }
            else
            {
                calls[delta.Index].Arguments.Append(delta.Arguments);
            }
        }

        return (content.ToString(), calls.Select(c => new ChatToolCall(c.Id, c.Name, c.Arguments.ToString())).ToList());
    }

    private void Process(bool final, List<ToolCallDelta> output)
    {
        while (true)
        {
            if (_opener is null)
            {
                if (!ProcessContent(final, output))
                {
                    return;
                }
            }
            else if (!ProcessRegion(final, output))
            {
                return;
            }
        }
    }

    /// <summary>Emits content up to the next opening marker; true when a region was entered.</summary>
    private bool ProcessContent(bool final, List<ToolCallDelta> output)
    {
        var text = _pending.ToString();
        _pending.Clear();
        if (_bareJsonAllowed)
        {
            var first = PartialJson.SkipWhitespace(text, 0);
            if (first == text.Length)
            {
                EmitContent(text, output);
                return false;
            }

            if (text[first] == '{')
            {
                EmitContent(text[..first], output);
                EnterRegion(string.Empty, text[first..]);
                return true;
            }

            _bareJsonAllowed = false;
        }

        var at = -1;
        string? opener = null;
        foreach (var candidate in _openers)
        {
            var index = text.IndexOf(candidate, StringComparison.Ordinal);
            if (index >= 0 && (at < 0 || index < at))
            {
                (at, opener) = (index, candidate);
            }
        }

        if (opener is not null)
        {
            EmitContent(text[..at], output);
            EnterRegion(opener, text[(at + opener.Length)..]);
            return true;
        }

        var hold = final ? 0 : HeldPrefixLength(text);
        EmitContent(text[..^hold], output);
        _pending.Append(text.AsSpan(text.Length - hold));
        return false;
    }

    /// <summary>Emits the calls of the current region; true when it closed and content follows.</summary>
    private bool ProcessRegion(bool final, List<ToolCallDelta> output)
    {
        var text = _region.ToString();
        var region = ToolCallRegion.Read(_format, text, final);
        EmitCalls(region, text, output);
        if (region.Invalid || (final && region.End < 0))
        {
            if (_regionCalls == 0)
            {
                // Not a call after all (or cut off before its name): the marker and what followed are content.
                _bareJsonAllowed = false;
                EmitContent(_opener + text, output);
            }

            LeaveRegion();
            return false;
        }

        if (region.End < 0)
        {
            return false;
        }

        LeaveRegion();
        _pending.Append(text.AsSpan(region.End));
        return true;
    }

    private void EmitCalls(ToolCallRegion region, string text, List<ToolCallDelta> output)
    {
        for (var k = Math.Max(0, _regionCalls - 1); k < region.Calls.Count; k++)
        {
            var call = region.Calls[k];
            if (call.Invalid)
            {
                return;
            }

            if (k >= _regionCalls)
            {
                if (call.Name is null || !((call.NameFirst && call.ArgumentsStart >= 0) || call.End >= 0))
                {
                    return;
                }

                output.Add(ToolCallDelta.Start(CallCount, _newId(), call.Name));
                _heldWhitespace = string.Empty;
                CallCount++;
                _regionCalls++;
                _argumentsSent = 0;
            }

            var arguments = call.End >= 0
                ? (call.ArgumentsStart >= 0 ? text[call.ArgumentsStart..call.ArgumentsEnd] : "{}")
                : text[call.ArgumentsStart..(call.ArgumentsEnd >= 0 ? call.ArgumentsEnd : text.Length)];
            if (arguments.Length > _argumentsSent)
            {
                output.Add(ToolCallDelta.MoreArguments(CallCount - 1, arguments[_argumentsSent..]));
                _argumentsSent = arguments.Length;
            }

            if (call.End < 0)
            {
                return;
            }
        }
    }

    private void EnterRegion(string opener, string rest)
    {
        _opener = opener;
        _region.Clear().Append(rest);
        _regionCalls = 0;
        _argumentsSent = 0;
    }

    private void LeaveRegion()
    {
        _opener = null;
        _region.Clear();
        _bareJsonAllowed = false;
    }

    /// <summary>Content goes out up to its last non-blank character; trailing blanks wait to see whether a call follows.</summary>
    private void EmitContent(string text, List<ToolCallDelta> output)
    {
        var combined = _heldWhitespace + text;
        var last = combined.Length - 1;
        while (last >= 0 && char.IsWhiteSpace(combined[last]))
        {
            last--;
        }

        if (last < 0)
        {
            _heldWhitespace = combined;
            return;
        }

        _bareJsonAllowed = false;
        output.Add(ToolCallDelta.Text(combined[..(last + 1)]));
        _heldWhitespace = combined[(last + 1)..];
    }

    /// <summary>The length of the longest end of <paramref name="text"/> that an opening marker starts with.</summary>
    private int HeldPrefixLength(string text)
    {
        var longest = 0;
        foreach (var opener in _openers)
        {
            for (var length = Math.Min(opener.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(opener.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }

    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return "call_" + RandomNumberGenerator.GetString(alphabet, 24);
    }
}
