using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>The official OpenAI .NET client receives tool calls, whole and streamed, from models of all three template families.</summary>
/// <remarks>The models have random weights, so calls are made only because <c>tool_choice</c> required or named constrains
/// decoding with the grammar; the arguments must then parse and satisfy the function's schema. 512 tokens bound every
/// constrained answer (numbers, whitespace and enums are bounded), so a length cut-off would be a defect.</remarks>
[Collection(ToolModelsCollection.Name)]
public sealed class ToolCallingTests(ToolModelsFixture fixture)
{
    private const string WeatherSchema = """
        {"type": "object", "properties": {"unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}, "days": {"type": "integer"},
         "detailed": {"type": "boolean"}}, "required": ["unit", "days", "detailed"], "additionalProperties": false}
        """;

    private const string TimeSchema = """{"type": "object", "properties": {"zone": {"enum": ["utc", "local"]}}, "required": ["zone"]}""";

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather forecast", BinaryData.FromString(WeatherSchema));
    private static readonly ChatTool Time = ChatTool.CreateFunctionTool("get_time", "The time", BinaryData.FromString(TimeSchema));

    public static TheoryData<string> Models => new() { ToolModelsFixture.Hermes, ToolModelsFixture.Llama3, ToolModelsFixture.Mistral };

    private OpenAIClientOptions Options => new() { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task CompleteChat_ToolChoiceRequired_OneCallWithSchemaValidArguments(string model)
    {
        var client = new ChatClient(model, new ApiKeyCredential("unused"), Options);

        var completion = (await client.CompleteChatAsync([new UserChatMessage("weather in paris?")], Constrained(ChatToolChoice.CreateRequiredChoice()))).Value;

        Assert.True(completion.FinishReason == ChatFinishReason.ToolCalls,
            $"finish {completion.FinishReason}, content '{string.Concat(completion.Content.Select(c => c.Text))}', {completion.Usage.OutputTokenCount} tokens");
        var call = Assert.Single(completion.ToolCalls);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
        Assert.Contains(call.FunctionName, new[] { "get_weather", "get_time" });
        AssertValidArguments(call.FunctionName, call.FunctionArguments.ToString());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task CompleteChatStreaming_NamedFunction_DeltasAssembleIntoThatCall(string model)
    {
        var client = new ChatClient(model, new ApiKeyCredential("unused"), Options);
        string? id = null, name = null;
        var arguments = new StringBuilder();
        var pieces = 0;
        ChatFinishReason? finish = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("weather?")], Constrained(ChatToolChoice.CreateFunctionChoice("get_weather"))))
        {
            foreach (var piece in update.ToolCallUpdates)
            {
                Assert.Equal(0, piece.Index);
                id ??= piece.ToolCallId;
                name ??= piece.FunctionName;
                arguments.Append(piece.FunctionArgumentsUpdate?.ToString());
                pieces++;
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.StartsWith("call_", id, StringComparison.Ordinal);
        Assert.Equal("get_weather", name);
        Assert.True(pieces > 2, "the arguments should stream in several pieces");
        AssertValidArguments("get_weather", arguments.ToString());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task CompleteChat_SecondTurnWithToolResult_AcceptedAndRendered(string model)
    {
        var client = new ChatClient(model, new ApiKeyCredential("unused"), Options);
        List<ChatMessage> messages = [new UserChatMessage("what time is it?")];
        var first = (await client.CompleteChatAsync(messages, Constrained(ChatToolChoice.CreateFunctionChoice("get_time")))).Value;
        var call = Assert.Single(first.ToolCalls);

        messages.Add(new AssistantChatMessage(first.ToolCalls));
        messages.Add(new ToolChatMessage(call.Id, "It is twelve o'clock, UTC, on the third of December."));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 4, Tools = { Weather, Time } };
        var second = (await client.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatMessageRole.Assistant, second.Role);
        // The call and its result are in the prompt: it outgrew the first by at least the result's words.
        Assert.True(second.Usage.InputTokenCount > first.Usage.InputTokenCount + 10,
            $"second turn {second.Usage.InputTokenCount} tokens, first {first.Usage.InputTokenCount}");
    }

    [Fact]
    public async Task ChatCompletions_ToolChoiceNone_ToolsLeftOutOfThePrompt()
    {
        var withTools = await PromptTokensAsync("\"auto\"");
        var withoutTools = await PromptTokensAsync("\"none\"");

        Assert.True(withTools > withoutTools + 50, $"auto {withTools} tokens, none {withoutTools}");
    }

    [Fact]
    public async Task ChatStream_RawHttp_FirstToolDeltaCarriesIdTypeNameThenArgumentFragments()
    {
        var body = $$$"""
            {"model": "{{{ToolModelsFixture.Hermes}}}", "messages": [{"role": "user", "content": "time?"}], "max_tokens": 512, "stream": true,
             "tools": [{"type": "function", "function": {"name": "get_time", "parameters": {{{TimeSchema}}}}}], "tool_choice": "required", "parallel_tool_calls": false}
            """;

        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.True(stream.Done);
        var deltas = stream.Events.Where(e => e.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _)).ToList();
        Assert.True(deltas.Count > 0, string.Join("\n", stream.Events.Select(e => e.GetRawText())));
        var first = deltas[0].GetProperty("tool_calls")[0];
        Assert.Equal(0, first.GetProperty("index").GetInt32());
        Assert.StartsWith("call_", first.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("function", first.GetProperty("type").GetString());
        Assert.Equal("get_time", first.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(string.Empty, first.GetProperty("function").GetProperty("arguments").GetString());
        Assert.All(deltas.Skip(1), d => Assert.False(d.GetProperty("tool_calls")[0].TryGetProperty("id", out _)));
        var arguments = string.Concat(deltas.Select(d => d.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()));
        AssertValidArguments("get_time", arguments);
        Assert.Equal(["tool_calls"], stream.FinishReasons);
    }

    [Theory]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "strnig"}}}}}""", "\"auto\"", "not a valid JSON schema")]
    [InlineData("""{"type": "function", "function": {"name": "f"}}""", """{"type": "function", "function": {"name": "g"}}""", "'g'")]
    [InlineData("""{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string", "pattern": "x+"}}}}}""", "\"required\"", "pattern")]
    public async Task ChatCompletions_BadTools_Returns400InOpenAiShapeAndKeepsServing(string tool, string choice, string expected)
    {
        var (status, error) = await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$"""{"model": "{{ToolModelsFixture.Hermes}}", "messages": [{"role": "user", "content": "hi"}], "tools": [{{tool}}], "tool_choice": {{choice}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$"""{"model": "{{ToolModelsFixture.Hermes}}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}""")).Status);
    }

    [Fact]
    public async Task ChatCompletions_ToolMessageWithoutId_Returns400()
    {
        var (status, error) = await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$"""{"model": "{{ToolModelsFixture.Mistral}}", "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "42"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("tool_call_id", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static ChatCompletionOptions Constrained(ChatToolChoice choice) => new()
    {
        Temperature = 1f,
        MaxOutputTokenCount = 512,
        Tools = { Weather, Time },
        ToolChoice = choice,
        AllowParallelToolCalls = false,
    };

    private async Task<int> PromptTokensAsync(string choice)
    {
        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/chat/completions", $$$"""
            {"model": "{{{ToolModelsFixture.Llama3}}}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1, "tool_choice": {{{choice}}},
             "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {{{WeatherSchema}}}}}]}
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
    }

    /// <summary>The arguments are one JSON object holding exactly the schema's properties, each of the declared type or enum.</summary>
    private static void AssertValidArguments(string function, string arguments)
    {
        using var document = JsonDocument.Parse(arguments);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        var names = root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        if (function == "get_weather")
        {
            Assert.Equal(["days", "detailed", "unit"], names);
            Assert.Contains(root.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
            Assert.True(root.GetProperty("days").TryGetInt64(out _), arguments);
            Assert.Contains(root.GetProperty("detailed").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        else
        {
            Assert.Equal(["zone"], names);
            Assert.Contains(root.GetProperty("zone").GetString(), new[] { "utc", "local" });
        }
    }
}
