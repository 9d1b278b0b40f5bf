namespace Maas.Engines.Llama;

/// <summary>Collects llama.cpp's warning and error lines on the current thread while a model loads.</summary>
/// <remarks>
/// When a load fails llama.cpp only returns null; the reason is in its log. Loading runs synchronously on the
/// thread that calls into llama.cpp, and llama.cpp logs from that thread, so a thread-static capture picks up
/// exactly this load's lines even while other models load or decode elsewhere.
/// </remarks>
internal sealed class LlamaLogCapture : IDisposable
{
    private const int MaxLines = 8;

    [ThreadStatic]
    private static LlamaLogCapture? t_current;

    private readonly LlamaLogCapture? _previous;
    private readonly List<string> _errors = [];
    private readonly Queue<string> _warnings = new();

    private LlamaLogCapture(LlamaLogCapture? previous)
    {
        _previous = previous;
    }

    /// <summary>The capture active on this thread, if any.</summary>
    public static LlamaLogCapture? Current => t_current;

    public static LlamaLogCapture Begin()
    {
        var capture = new LlamaLogCapture(t_current);
        t_current = capture;
        return capture;
    }

    public void AddError(string line)
    {
        if (_errors.Count < MaxLines)
        {
            _errors.Add(line);
        }
    }

    public void AddWarning(string line)
    {
        if (_warnings.Count == MaxLines)
        {
            _warnings.Dequeue();
        }

        _warnings.Enqueue(line);
    }

    /// <summary>The last warnings seen (at most eight).</summary>
    public IReadOnlyList<string> Warnings => [.. _warnings];

    /// <summary>What llama.cpp said went wrong: its error lines, else its last warnings.</summary>
    public string Reason(string? fallback = null)
    {
        var lines = _errors.Count > 0 ? _errors : [.. _warnings];
        var reason = string.Join("; ", lines.Distinct());
        return reason.Length > 0 ? reason : fallback ?? "llama.cpp gave no reason";
    }

    public void Dispose()
    {
        if (t_current == this)
        {
            t_current = _previous;
        }
    }
}
