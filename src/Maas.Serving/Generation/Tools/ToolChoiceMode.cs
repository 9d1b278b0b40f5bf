namespace Maas.Serving.Generation.Tools;

/// <summary>OpenAI's <c>tool_choice</c>.</summary>
public enum ToolChoiceMode
{
    /// <summary>The model decides; whatever it writes is parsed for calls.</summary>
    Auto,

    /// <summary>No calls: the tools are not shown to the model and nothing is parsed.</summary>
    None,

    /// <summary>At least one call, enforced with a grammar.</summary>
    Required,

    /// <summary>A call of one named function, enforced with a grammar.</summary>
    Named,
}
