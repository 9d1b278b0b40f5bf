extern alias JsonSchemaNet;

using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using Xunit.Abstractions;
using JsonSchemaNet::Json.Schema;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Structured outputs on a random-weight model: every output parses and validates (checked with JsonSchema.Net, an
/// independent validator), raw GBNF is obeyed, truncation says "length", bad schemas are 400s and the server keeps serving.</summary>
/// <remarks>The request count of the schema test is <c>MAAS_STRUCTURED_REQUESTS</c> (default 20; the done-when run uses 100).</remarks>
[Collection(LlamaServerCollection.Name)]
public sealed partial class StructuredOutputTests(LlamaServerFixture fixture, ITestOutputHelper output)
{
    /// <summary>Nested objects, arrays, enums, $ref/$defs, optional-free strict style (every property required, no others).</summary>
    public const string StrictSchema = """
        {
          "type": "object",
          "properties": {
            "id": {"type": "integer"},
            "status": {"enum": ["open", "closed", "pending"]},
            "owner": {"$ref": "#/$defs/person"},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}, "minItems": 1, "maxItems": 2},
            "urgent": {"type": "boolean"},
            "note": {"type": ["string", "null"], "maxLength": 6}
          },
          "required": ["id", "status", "owner", "lines", "urgent", "note"],
          "additionalProperties": false,
          "$defs": {
            "person": {
              "type": "object",
              "properties": {"name": {"type": "string", "maxLength": 6}, "role": {"enum": ["admin", "user"]}},
              "required": ["name", "role"],
              "additionalProperties": false
            },
            "line": {
              "type": "object",
              "properties": {
                "sku": {"type": "string", "maxLength": 4},
                "qty": {"type": "integer"},
                "price": {"type": "number"},
                "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "maxItems": 2}
              },
              "required": ["sku", "qty", "price", "tags"],
              "additionalProperties": false
            }
          }
        }
        """;

    private const string Model = LlamaServerFixture.Model;

    private static readonly JsonSchema Validator = JsonSchema.FromText(StrictSchema);

    [Fact]
    public async Task OpenAiClient_JsonSchemaResponseFormat_ContentParsesAndValidates()
    {
        // The official client's own request shape (response_format json_schema, strict), read back as its own types.
        var client = new ChatClient(Model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") });
        var options = new ChatCompletionOptions
        {
            Temperature = 1f,
            MaxOutputTokenCount = 420,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("order", BinaryData.FromString(StrictSchema), jsonSchemaIsStrict: true),
        };

        for (var i = 0; i < 3; i++)
        {
            ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("an order")], options);

            Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
            using var document = JsonDocument.Parse(completion.Content[0].Text);
            var result = Validator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, completion.Content[0].Text);
        }
    }

    [Fact]
    public async Task ChatCompletions_StrictNestedSchemaAtTemperature1_EveryOutputValidates()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("MAAS_STRUCTURED_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 20;
        using var gate = new SemaphoreSlim(LlamaServerFixture.MaxSequences);
        var body = $$$"""
            {"model": "{{{Model}}}", "messages": [{"role": "user", "content": "an order"}], "temperature": 1, "max_tokens": 420,
             "response_format": {"type": "json_schema", "json_schema": {"name": "order", "strict": true, "schema": {{{StrictSchema}}} } } }
            """;
        var started = System.Diagnostics.Stopwatch.StartNew();

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return await Json.PostAsync(fixture.Client, "/v1/chat/completions", body);
            }
            finally
            {
                gate.Release();
            }
        }));

        var valid = 0;
        var distinct = new HashSet<string>();
        foreach (var (status, response) in results)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            var choice = response.GetProperty("choices")[0];
            var content = choice.GetProperty("message").GetProperty("content").GetString()!;
            Assert.True(choice.GetProperty("finish_reason").GetString() == "stop", $"not finished: {content}");
            using var document = JsonDocument.Parse(content);
            var evaluation = Validator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(evaluation.IsValid, $"invalid: {content}");
            valid++;
            distinct.Add(content);
        }

        output.WriteLine($"{valid}/{count} outputs parse and validate ({distinct.Count} distinct) in {started.Elapsed.TotalSeconds:F1} s; e.g. {results[0].Body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()}");
        Assert.Equal(count, valid);

        // Temperature 1 on random weights: the outputs differ, so the mask is what makes them valid.
        Assert.True(distinct.Count > count / 2, $"{distinct.Count} distinct outputs of {count}");
    }

    [Fact]
    public async Task Completions_StreamWithSchema_JoinedChunksValidate()
    {
        var body = $$$"""
            {"model": "{{{Model}}}", "prompt": "order:", "temperature": 1, "seed": 7, "max_tokens": 420, "stream": true,
             "response_format": {"type": "json_schema", "json_schema": {"name": "order", "schema": {{{StrictSchema}}} } } }
            """;

        var stream = await OpenAiHttp.StreamAsync(fixture.Client, "/v1/completions", body);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.True(stream.Done);
        Assert.Equal(["stop"], stream.FinishReasons);
        using var document = JsonDocument.Parse(stream.Text);
        Assert.True(Validator.Evaluate(document.RootElement).IsValid, stream.Text);
    }

    [Fact]
    public async Task Completions_RawGrammar_OutputMatchesGrammar()
    {
        var grammar = Json.Quote("root ::= (\"yes\" | \"no\") \", \" [0-9]{2} \" \" [a-z]{1,3}");
        for (var seed = 0; seed < 4; seed++)
        {
            var (status, response) = await Json.PostAsync(fixture.Client, "/v1/completions",
                $$"""{"model": "{{Model}}", "prompt": "answer:", "temperature": 1, "seed": {{seed}}, "max_tokens": 40, "grammar": {{grammar}}}""");

            Assert.Equal(HttpStatusCode.OK, status);
            var choice = response.GetProperty("choices")[0];
            Assert.Matches(AnswerPattern(), choice.GetProperty("text").GetString()!);
            Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task ChatCompletions_JsonObjectWithLogprobs_IsAnObjectAndLogprobsSpellIt()
    {
        var (status, response) = await Json.PostAsync(fixture.Client, "/v1/chat/completions",
            $$$"""{"model": "{{{Model}}}", "messages": [{"role": "user", "content": "json"}], "temperature": 0, "max_tokens": 300, "logprobs": true, "response_format": {"type": "json_object"} }""");

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = response.GetProperty("choices")[0];
        var content = choice.GetProperty("message").GetProperty("content").GetString()!;
        var tokens = choice.GetProperty("logprobs").GetProperty("content").EnumerateArray().Select(t => t.GetProperty("token").GetString()).ToList();
        Assert.StartsWith("{", content, StringComparison.Ordinal);
        Assert.Equal(content, string.Concat(tokens));
        if (choice.GetProperty("finish_reason").GetString() == "stop")
        {
            using var document = JsonDocument.Parse(content);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
    }

    [Fact]
    public async Task Completions_SchemaCutByMaxTokens_FinishesWithLength()
    {
        var (status, response) = await Json.PostAsync(fixture.Client, "/v1/completions",
            $$$"""{"model": "{{{Model}}}", "prompt": "order:", "temperature": 1, "max_tokens": 5, "response_format": {"type": "json_schema", "json_schema": {"name": "o", "schema": {{{StrictSchema}}} } } }""");

        Assert.Equal(HttpStatusCode.OK, status);
        var choice = response.GetProperty("choices")[0];
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.StartsWith("{", choice.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, response.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "^a$"}}}""", "'pattern'")]
    [InlineData("/v1/completions", """{"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "format": "email"}}}""", "'format'")]
    [InlineData("/v1/chat/completions", """{"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object", "patternProperties": {"a": {}}}}}""", "'patternProperties'")]
    [InlineData("/v1/chat/completions", """{"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "nope"}}}""", "unknown type")]
    [InlineData("/v1/chat/completions", """{"type": "json_schema", "json_schema": {"name": "x", "schema": {"$ref": "#/$defs/missing"}}}""", "points at nothing")]
    [InlineData("/v1/chat/completions", """{"type": "json_schema"}""", "json_schema")]
    [InlineData("/v1/chat/completions", """{"type": "xml"}""", "response_format.type")]
    [InlineData("/v1/completions", """ "json" """, "response_format")]
    public async Task Generation_BadResponseFormat_Returns400AndServerKeepsServing(string path, string format, string expected)
    {
        var input = path.Contains("chat", StringComparison.Ordinal) ? """ "messages": [{"role": "user", "content": "hi"}] """ : """ "prompt": "hi" """;

        var (status, error) = await Json.PostAsync(fixture.Client, path, $$"""{"model": "{{Model}}", {{input}}, "response_format": {{format}}}""");
        var (after, _) = await Json.PostAsync(fixture.Client, path, $$"""{"model": "{{Model}}", {{input}}, "max_tokens": 3}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var detail = error.GetProperty("error");
        Assert.Contains(expected, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", detail.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Theory]
    [InlineData("root ::= \"a", "unterminated literal")]
    [InlineData("start ::= \"a\"", "root")]
    [InlineData("root ::= root \"a\"", "left-recursive")]
    public async Task Completions_BadGrammar_Returns400(string grammar, string expected)
    {
        var (status, error) = await Json.PostAsync(fixture.Client, "/v1/completions",
            $$"""{"model": "{{Model}}", "prompt": "hi", "grammar": {{Json.Quote(grammar)}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [GeneratedRegex("^(yes|no), [0-9]{2} [a-z]{1,3}$")]
    private static partial Regex AnswerPattern();
}
