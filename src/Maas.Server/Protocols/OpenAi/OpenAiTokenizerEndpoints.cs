using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Serving;
using Maas.Serving.Pipelines;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>
/// Tokenizer of a text-generation model, in llama-server's shape: <c>POST /v1/models/{model}/tokenize</c> and
/// <c>/detokenize</c>, and llama-server-compatible <c>POST /tokenize</c> and <c>/detokenize</c> with <c>model</c> in the body.
/// </summary>
/// <remarks>
/// Tokenize takes <c>{"content": "...", "add_special": false}</c> (llama-server's default: no BOS) and answers
/// <c>{"tokens": [...], "count": n}</c>; given <c>messages</c> (a chat request's) instead, it renders them with the chat
/// template and counts them as a chat completion would (BOS included): the prompt tokens without generating.
/// Detokenize takes <c>{"tokens": [...]}</c> and answers <c>{"content": "..."}</c>.
/// </remarks>
internal static class OpenAiTokenizerEndpoints
{
    private const int MaxDetokenize = 1 << 20;

    public static void Map(IEndpointRouteBuilder root, RouteGroupBuilder v1)
    {
        v1.MapPost("/models/{model}/tokenize", (string model, HttpContext context, IInferenceService service) => TokenizeAsync(context, service, model))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Tokenize text or a chat request with a model's tokenizer");
        v1.MapPost("/models/{model}/detokenize", (string model, HttpContext context, IInferenceService service) => DetokenizeAsync(context, service, model))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Turn token ids back into text");
        root.MapPost("/tokenize", (HttpContext context, IInferenceService service) => TokenizeAsync(context, service, null))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Tokenize (llama-server compatible; 'model' in the body)");
        root.MapPost("/detokenize", (HttpContext context, IInferenceService service) => DetokenizeAsync(context, service, null))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Detokenize (llama-server compatible; 'model' in the body)");
    }

    private static async Task TokenizeAsync(HttpContext context, IInferenceService service, string? model)
    {
        var ct = context.RequestAborted;
        string? content = null;
        List<Maas.Serving.Generation.ChatMessage>? messages = null;
        bool addSpecial;
        using (var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false))
        using (var document = Parse(body.Memory))
        {
            var root = document.RootElement;
            model = ModelName(root, model);
            if (root.TryGetProperty("messages", out _))
            {
                messages = OpenAiGenerationRequestReader.Messages(root);
            }
            else
            {
                content = root.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String
                    ? c.GetString()!
                    : throw MaasException.InvalidArgument("'content' (a string) or 'messages' (a chat request's) is required.");
            }

            addSpecial = root.TryGetProperty("add_special", out var a) && a.ValueKind != JsonValueKind.Null
                ? a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : throw MaasException.InvalidArgument("'add_special' must be true or false.")
                : messages is not null;
        }

        await service.RunAsync(ModelReference.Parse(model), async (version, pipeline, token) =>
        {
            InferenceRequestFeature.SetTarget(context, version);
            var generator = Generator(pipeline, model);
            var tokens = generator.Tokenize(messages is null ? content! : generator.ApplyChatTemplate(messages), addSpecial);
            await JsonBody.SendAsync(context.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("tokens");
                foreach (var id in tokens)
                {
                    writer.WriteNumberValue(id);
                }

                writer.WriteEndArray();
                writer.WriteNumber("count", tokens.Count);
                writer.WriteEndObject();
            }, token).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
    }

    private static async Task DetokenizeAsync(HttpContext context, IInferenceService service, string? model)
    {
        var ct = context.RequestAborted;
        var tokens = new List<int>();
        using (var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false))
        using (var document = Parse(body.Memory))
        {
            var root = document.RootElement;
            model = ModelName(root, model);
            if (!root.TryGetProperty("tokens", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw MaasException.InvalidArgument("'tokens' (an array of token ids) is required.");
            }

            if (list.GetArrayLength() > MaxDetokenize)
            {
                throw MaasException.InvalidArgument($"'tokens' may hold at most {MaxDetokenize} ids.");
            }

            foreach (var item in list.EnumerateArray())
            {
                tokens.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var id)
                    ? id
                    : throw MaasException.InvalidArgument("'tokens' must hold integer token ids."));
            }
        }

        await service.RunAsync(ModelReference.Parse(model), async (version, pipeline, token) =>
        {
            InferenceRequestFeature.SetTarget(context, version);
            var text = Generator(pipeline, model).Detokenize(tokens);
            await JsonBody.SendAsync(context.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("content", text);
                writer.WriteEndObject();
            }, token).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw MaasException.InvalidArgument("The body must be a JSON object.");
        }

        return document;
    }

    private static string ModelName(JsonElement root, string? fromPath) =>
        fromPath ?? (root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } name
            ? name
            : throw MaasException.InvalidArgument("'model' is required and must be a string."));

    private static ITextGenerationPipeline Generator(IInferencePipeline pipeline, string model) =>
        pipeline as ITextGenerationPipeline
        ?? throw MaasException.InvalidArgument($"Model {model} has no tokenizer endpoint: it is not a text-generation model.");
}
