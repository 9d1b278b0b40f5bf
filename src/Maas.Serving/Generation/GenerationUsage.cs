namespace Maas.Serving.Generation;

/// <summary>Tokens a generation consumed and produced.</summary>
public sealed record GenerationUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
