namespace Maas.Serving.Generation.Tools;

/// <summary>The tools of a chat request and how the model may use them.</summary>
/// <param name="Tools">The functions offered (at least one).</param>
/// <param name="Choice">auto, none, required or a named function.</param>
/// <param name="FunctionName">With <see cref="ToolChoiceMode.Named"/>: the function that must be called.</param>
/// <param name="ParallelToolCalls">Whether one answer may hold several calls.</param>
public sealed record ChatToolOptions(IReadOnlyList<ChatTool> Tools, ToolChoiceMode Choice, string? FunctionName, bool ParallelToolCalls)
{
    /// <summary>True when the model is shown the tools and its output is parsed for calls.</summary>
    public bool Active => Choice != ToolChoiceMode.None && Tools.Count > 0;

    /// <summary>The tools a constrained answer may call: the named one, or all.</summary>
    public IReadOnlyList<ChatTool> Callable => Choice == ToolChoiceMode.Named ? Tools.Where(t => t.Name == FunctionName).ToList() : Tools;
}
