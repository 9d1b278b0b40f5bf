namespace Maas.Server.Protocols.OpenAi;

/// <summary>What every response object of one request repeats: its id, creation time, the model as named, and its shape.</summary>
/// <param name="Id"><c>chatcmpl-…</c> or <c>cmpl-…</c>.</param>
/// <param name="Created">Unix seconds.</param>
/// <param name="Model">The model exactly as the client named it.</param>
/// <param name="Chat">Chat completion (message/delta) rather than text completion (text).</param>
/// <param name="Logprobs">Whether choices carry log-probabilities.</param>
internal sealed record OpenAiGenerationResponse(string Id, long Created, string Model, bool Chat, bool Logprobs)
{
    public string Object => Chat ? "chat.completion" : "text_completion";

    public string ChunkObject => Chat ? "chat.completion.chunk" : "text_completion";

    public static OpenAiGenerationResponse Create(bool chat, string model, bool logprobs, TimeProvider time) =>
        new((chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"), time.GetUtcNow().ToUnixTimeSeconds(), model, chat, logprobs);
}
