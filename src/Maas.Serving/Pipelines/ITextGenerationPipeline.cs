using Maas.Core.Engines;
using Maas.Serving.Generation;

namespace Maas.Serving.Pipelines;

/// <summary>A text generator as protocols see it: chat templating, token counting and streamed generation.</summary>
public interface ITextGenerationPipeline : IInferencePipeline
{
    /// <summary>Context length, special tokens, chat template and KV-cache capacity of the loaded model.</summary>
    TextGeneratorInfo GeneratorInfo { get; }

    /// <summary>Renders a conversation with the model's chat template (ChatML when it has none), ending with the assistant's turn.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="tools">Functions shown to the model; null or empty: none.</param>
    string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, IReadOnlyList<Generation.Tools.ChatTool>? tools = null);

    /// <summary>The syntax this model writes tool calls in, told from its chat template.</summary>
    Generation.Tools.ToolCallFormat ToolCallFormat { get; }

    /// <summary>Number of tokens <paramref name="text"/> becomes (with BOS).</summary>
    int CountTokens(string text);

    /// <summary>The model's tokens for <paramref name="text"/>, with its special tokens (BOS) in front when <paramref name="addSpecialTokens"/>.</summary>
    IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens);

    /// <summary>The text of <paramref name="tokens"/>; a token outside the vocabulary is a 400.</summary>
    string Detokenize(IReadOnlyList<int> tokens);

    /// <summary>Queues a generation and returns its chunks as they are produced.</summary>
    /// <remarks>
    /// Validation and admission happen before this returns: a full queue throws 429, a request that cannot fit the
    /// context throws 400, so a protocol can still answer with an error status before it starts streaming. Stopping
    /// the enumeration or cancelling <paramref name="cancellationToken"/> ends the sequence at the next step.
    /// </remarks>
    IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);
}
