using Maas.Serving.Generation;
using Maas.Serving.Generation.Tools;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>A validated <c>/v1/completions</c> or <c>/v1/chat/completions</c> body.</summary>
/// <param name="Model">The model as the client named it (echoed back in responses).</param>
/// <param name="Prompt">The completion prompt; null for chat.</param>
/// <param name="Messages">The conversation; null for completions.</param>
/// <param name="Generation">Everything but the prompt text (filled in once the chat template is applied).</param>
/// <param name="Stream">Answer with server-sent events.</param>
/// <param name="IncludeUsage">With <c>stream</c>: a last chunk with empty choices and the usage.</param>
/// <param name="Tools">Chat only: the functions offered and <c>tool_choice</c>; null when none are.</param>
internal sealed record OpenAiGenerationRequest(
    string Model,
    string? Prompt,
    IReadOnlyList<ChatMessage>? Messages,
    GenerationRequest Generation,
    bool Stream,
    bool IncludeUsage,
    ChatToolOptions? Tools = null)
{
    public bool IsChat => Messages is not null;
}
