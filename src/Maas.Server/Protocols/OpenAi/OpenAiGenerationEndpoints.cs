using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Security.Limits;
using Maas.Serving;
using Maas.Serving.Generation.Tools;
using Maas.Serving.Pipelines;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Maas.Server.Protocols.OpenAi;

/// <summary><c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c> for text-generation models.</summary>
/// <remarks>
/// The whole response, streamed or not, is written inside the deployment's lease, so an unload waits for running
/// streams. Admission errors (queue full 429, prompt too long 400) are raised before the first byte is written and
/// get a normal error response; the request's abort token ends the sequence when the client disconnects.
/// </remarks>
internal static class OpenAiGenerationEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPost("/completions", (HttpContext context, IInferenceService service, TimeProvider time, IOptions<ServerLimitsOptions> limits, TokenQuotas quotas) =>
                HandleAsync(context, service, time, limits.Value, quotas, chat: false))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Complete a prompt (OpenAI-compatible)");
        v1.MapPost("/chat/completions", (HttpContext context, IInferenceService service, TimeProvider time, IOptions<ServerLimitsOptions> limits, TokenQuotas quotas) =>
                HandleAsync(context, service, time, limits.Value, quotas, chat: true))
            .WithMetadata(InferenceProtocol.OpenAi).WithSummary("Continue a conversation (OpenAI-compatible)");
    }

    private static async Task HandleAsync(HttpContext context, IInferenceService service, TimeProvider time, ServerLimitsOptions limits, TokenQuotas quotas, bool chat)
    {
        var ct = context.RequestAborted;
        OpenAiGenerationRequest request;
        using (var body = await RequestBody.ReadAsync(context.Request, ct).ConfigureAwait(false))
        using (var document = JsonDocument.Parse(body.Memory, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth }))
        {
            request = OpenAiGenerationRequestReader.Read(document.RootElement, chat);
        }

        OpenAiGenerationLimits.Check(request, limits);

        // Refused before any model work when the caller's token budget is spent; charged what it used once it ends.
        var budget = quotas.Admit(context);

        var reference = ModelReference.Parse(request.Model);
        CallerAccess.Of(context).Require(reference.Name, ModelAction.Infer);
        await service.RunAsync(reference, async (version, pipeline, token) =>
        {
            InferenceRequestFeature.SetTarget(context, version);
            if (pipeline is not ITextGenerationPipeline generator)
            {
                throw MaasException.InvalidArgument($"Model {request.Model} does not support {(chat ? "chat completions" : "completions")}: it is not a text-generation model.");
            }

            // tool_choice "none" hides the tools; otherwise the template shows them and the answer is parsed for calls.
            var tools = request.Tools is { Active: true } offered ? offered : null;
            var generation = request.Messages is { } messages
                ? request.Generation with { Prompt = generator.ApplyChatTemplate(messages, tools?.Tools) }
                : request.Generation with { Prompt = request.Prompt! };
            var toolCalls = tools is null ? null : new ToolCallParser(generator.ToolCallFormat);
            if (tools is { Choice: ToolChoiceMode.Required or ToolChoiceMode.Named })
            {
                // The call is enforced while decoding: the family's wrapper around the callable functions' argument schemas.
                if (generation.Sampling.Grammar is not null)
                {
                    throw MaasException.InvalidArgument("'tool_choice' required or a named function cannot be combined with 'response_format' or 'grammar'.");
                }

                generation = generation with { Sampling = generation.Sampling with { Grammar = ToolCallGrammar.Build(generator.ToolCallFormat, tools) } };
            }

            var promptTokens = generator.CountTokens(generation.Prompt);
            OpenAiGenerationLimits.CheckPromptTokens(promptTokens, limits);
            var chunks = TokenMeter.ChargeAsync(generator.GenerateAsync(generation, token), budget, promptTokens, generator.CountTokens, token);
            var response = OpenAiGenerationResponse.Create(chat, request.Model, generation.Logprobs, time);
            if (request.Stream)
            {
                await OpenAiGenerationWriter.WriteEventsAsync(context.Response, response, chunks, request.IncludeUsage, toolCalls, token).ConfigureAwait(false);
            }
            else
            {
                await OpenAiGenerationWriter.WriteJsonAsync(context.Response, response, chunks, toolCalls, token).ConfigureAwait(false);
            }

            return true;
        }, ct).ConfigureAwait(false);
    }
}
