namespace Maas.Serving.Generation;

/// <summary>Tokens a generation consumed and produced; <paramref name="CachedTokens"/> of the prompt tokens were
/// reused from the prefix cache rather than computed.</summary>
public sealed record GenerationUsage(int PromptTokens, int CompletionTokens, int CachedTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
