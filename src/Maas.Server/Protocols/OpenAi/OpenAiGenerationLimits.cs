using System.Globalization;
using Maas.Core.Errors;
using Maas.Server.Http;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>The server's text and token limits on a generation request (<c>Maas:Limits</c>), checked before any model work.</summary>
internal static class OpenAiGenerationLimits
{
    /// <summary>Checks what can be checked without the model: text lengths and <c>max_tokens</c>.</summary>
    public static void Check(OpenAiGenerationRequest request, ServerLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var text = request.Prompt?.Length ?? 0;
        foreach (var message in request.Messages ?? [])
        {
            text += message.Content.Length;
        }

        if (text > limits.MaxStringLength)
        {
            throw new MaasException(MaasErrorKind.PayloadTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"The {(request.IsChat ? "messages hold" : "prompt holds")} {text} characters; this server accepts at most {limits.MaxStringLength}."));
        }

        if (request.Generation.Stop.Any(s => s.Length > limits.MaxStringLength))
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"A 'stop' string is longer than {limits.MaxStringLength} characters."));
        }

        if (request.Generation.MaxTokens > limits.MaxCompletionTokens)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"'max_tokens' is {request.Generation.MaxTokens}; this server allows at most {limits.MaxCompletionTokens}."));
        }
    }

    /// <summary>Checks the prompt's size in tokens once the model's tokenizer has counted it.</summary>
    public static void CheckPromptTokens(int promptTokens, ServerLimitsOptions limits)
    {
        if (promptTokens > limits.MaxPromptTokens)
        {
            throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"The prompt is {promptTokens} tokens; this server accepts at most {limits.MaxPromptTokens}."));
        }
    }
}
