using System.ClientModel;
using System.Net;
using System.Text;
using Maas.EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>The official OpenAI .NET client against <c>/v1/chat/completions</c> and <c>/v1/models</c> with a GGUF model.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed class ChatClientTests(LlamaServerFixture fixture)
{
    private const string Model = LlamaServerFixture.Model;

    private OpenAIClientOptions Options => new() { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") };

    private static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0f, MaxOutputTokenCount = maxTokens };

    /// <summary>The prompt the model's chat template (<c>TinyLlamaGguf.DefaultChatTemplate</c>) makes of one user message.</summary>
    private static string TemplatedPrompt(string user) => $"<|user|>\n{user}</s>\n<|assistant|>\n";

    [Fact]
    public async Task CompleteChat_Greedy_ReturnsTextUsageAndLength()
    {
        var client = new ChatClient(Model, new ApiKeyCredential("unused"), Options);

        var completion = (await client.CompleteChatAsync([new UserChatMessage("hello world")], Greedy(16))).Value;

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal(Model, completion.Model);
        Assert.Equal(fixture.CountPromptTokens(TemplatedPrompt("hello world")), completion.Usage.InputTokenCount);
        Assert.Equal(16, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + 16, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task CompleteChat_Greedy_MatchesCompletionOfTemplatedPromptAndInProcessDecoding()
    {
        var client = new ChatClient(Model, new ApiKeyCredential("unused"), Options);
        var prompt = TemplatedPrompt("one two three");

        var chat = (await client.CompleteChatAsync([new UserChatMessage("one two three")], Greedy(40))).Value;
        var (_, completion) = await Json.PostAsync(fixture.Client, "/v1/completions", OpenAiHttp.Completion(Model, prompt, 40));
        var reference = await fixture.ReferenceGreedyAsync(prompt, 40);

        Assert.Equal(completion.GetProperty("choices")[0].GetProperty("text").GetString(), chat.Content[0].Text);
        Assert.Equal(reference.Text, chat.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChatStreaming_Greedy_ConcatenatesToNonStreamedText()
    {
        var client = new ChatClient(Model, new ApiKeyCredential("unused"), Options);
        List<ChatMessage> messages = [new SystemChatMessage("you are a test"), new UserChatMessage("the model")];

        var whole = (await client.CompleteChatAsync(messages, Greedy(48))).Value;
        var text = new StringBuilder();
        var updates = 0;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, Greedy(48)))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.True(updates > 2, "a 48-token generation should arrive in several chunks");
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        if (usage is not null)
        {
            // The client asks for include_usage on its own; when it does, the numbers must match the whole response.
            Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
            Assert.Equal(48, usage.OutputTokenCount);
        }
    }

    [Fact]
    public async Task ChatStream_RawHttp_StartsWithRoleAndEndsWithUsageAndDone()
    {
        var body = $$$"""{"model": "{{{Model}}}", "messages": [{"role": "user", "content": "yes"}], "max_tokens": 5, "temperature": 0, "stream": true, "stream_options": {"include_usage": true}}""";

        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.True(stream.Done);
        Assert.All(stream.Events, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Equal("assistant", stream.Events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(["length"], stream.FinishReasons);
        Assert.Equal(5, stream.Events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ListModels_GgufModelPushed_IncludesIt()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("unused"), Options);

        var models = (await client.GetModelsAsync()).Value;
        var one = (await client.GetModelAsync($"{Model}@{LlamaServerFixture.Alias}")).Value;

        Assert.Contains(models, m => m.Id == Model && m.OwnedBy == "maas");
        Assert.Equal($"{Model}@{LlamaServerFixture.Alias}", one.Id);
    }
}
