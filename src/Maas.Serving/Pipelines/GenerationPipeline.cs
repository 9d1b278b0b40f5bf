using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Serving.Generation;
using Maas.Serving.Generation.Tools;

namespace Maas.Serving.Pipelines;

/// <summary>The <c>text-generation</c> task: a loaded generator, its token scheduler and its chat template.</summary>
/// <remarks>Owns the scheduler and the model: disposing stops the scheduler (ending anything still running) and then frees the model.</remarks>
internal sealed class GenerationPipeline : ITextGenerationPipeline
{
    private readonly ITextGenerator _generator;
    private readonly TokenScheduler _scheduler;
    private readonly ChatPromptBuilder _chat;

    private readonly DeploymentSettings _loaded;

    public GenerationPipeline(ITextGenerator generator, TokenScheduler scheduler, DeploymentSettings loaded)
    {
        _loaded = loaded;
        _generator = generator;
        _scheduler = scheduler;
        var eos = generator.Info.EndOfGenerationTokens is [var first, ..] ? Encoding.UTF8.GetString(generator.GetTokenBytes(first)) : string.Empty;
        _chat = new ChatPromptBuilder(generator.Info.ChatTemplate, eos);
    }

    public IReadOnlyList<TensorSpec> Inputs => [];

    public IReadOnlyList<TensorSpec> Outputs => [];

    public TextGeneratorInfo GeneratorInfo => _generator.Info;

    public PipelineLoad Load
    {
        get
        {
            var running = _scheduler.Running;
            return new PipelineLoad(Math.Max(0, _scheduler.InFlight - running), running);
        }
    }

    public long MemoryBytes => _generator.MemoryBytes;

    /// <summary>Queue length and deadline apply live; sequences and threads are baked into the llama.cpp context.</summary>
    public bool TryApply(DeploymentSettings settings) =>
        settings.IntraOpThreads == _loaded.IntraOpThreads
        && _scheduler.TryApply(settings.MaxBatchSize, settings.MaxQueue, settings.RequestTimeout);

    /// <summary>Why the model's own chat template is not used, when it had one that failed to compile.</summary>
    public string? ChatTemplateFallbackReason => _chat.FallbackReason;

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        throw MaasException.InvalidArgument("A text-generation model is served through /v1/completions and /v1/chat/completions.");

    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatTool>? tools = null) => _chat.Build(messages, tools);

    public ToolCallFormat ToolCallFormat => _chat.ToolCallFormat;

    public int CountTokens(string text) => _generator.Tokenize(text, addSpecialTokens: true).Count;

    public IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens) => _generator.Tokenize(text, addSpecialTokens);

    public string Detokenize(IReadOnlyList<int> tokens)
    {
        var vocabulary = _generator.Info.VocabularySize;
        foreach (var token in tokens)
        {
            if ((uint)token >= (uint)vocabulary)
            {
                throw MaasException.InvalidArgument($"Token {token} is not in the model's vocabulary ({vocabulary} tokens).");
            }
        }

        return _generator.Detokenize(tokens);
    }

    public IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var prompt = _generator.Tokenize(request.Prompt, request.AddSpecialTokens);

        // Cancelled when the caller stops reading, so a consumer that breaks out early frees the sequence too.
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var output = _scheduler.Submit(prompt, request, abandon.Token);
            return ReadAsync(output, abandon, cancellationToken);
        }
        catch
        {
            abandon.Dispose();
            throw;
        }
    }

    private static async IAsyncEnumerable<GenerationChunk> ReadAsync(
        ChannelReader<GenerationChunk> output,
        CancellationTokenSource abandon,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await output.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (output.TryRead(out var chunk))
                {
                    yield return chunk;
                }
            }
        }
        finally
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            abandon.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        await _generator.DisposeAsync().ConfigureAwait(false);
    }
}
