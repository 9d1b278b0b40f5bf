using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Batching;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>Sentence embeddings: text → WordPiece → encoder → mean pooling over the mask → L2 normalisation.</summary>
/// <remarks>Protocol view: input BYTES <c>text</c> [N], output FP32 <c>embedding</c> [N, D]. Each request is tokenised
/// on its caller's thread, then queued; a worker merges the texts of the queued requests into one encoder call
/// (<see cref="EmbeddingBatchExecutor"/>).</remarks>
internal sealed class EmbeddingPipeline : IEmbeddingPipeline
{
    public const string EmbeddingOutput = "embedding";

    private readonly ITensorModel _model;
    private readonly WordPieceEncoder _encoder;
    private readonly int _maxTexts;
    private readonly BatchQueue<long[][], EmbeddingResult> _queue;

    public EmbeddingPipeline(ITensorModel model, ModelManifest manifest, IReadOnlyDictionary<string, string> files, int maxTexts, BatchingContext batching)
    {
        _model = model;
        _maxTexts = maxTexts;
        var wordPiece = manifest.PreProcessing.FirstOrDefault(s => s.Name == ProcessingSteps.WordPiece)
            ?? throw MaasException.InvalidArgument("An embeddings model needs a 'wordpiece' pre-processing step.");
        var vocabName = wordPiece.Get("vocab", "vocab.txt");
        if (!files.TryGetValue(vocabName, out var vocabPath))
        {
            throw MaasException.InvalidArgument($"The wordpiece step names vocabulary '{vocabName}', which is not among the version's files.");
        }

        if (!int.TryParse(wordPiece.Get("max_length", "256"), out var maxLength))
        {
            throw MaasException.InvalidArgument("wordpiece max_length must be an integer.");
        }

        _encoder = new WordPieceEncoder(vocabPath, wordPiece.Get("lowercase", "true") == "true", maxLength);
        foreach (var input in model.Inputs)
        {
            if (input.Name is not ("input_ids" or "attention_mask" or "token_type_ids"))
            {
                throw MaasException.InvalidArgument($"Embeddings model input '{input.Name}' is not one a BERT tokenizer produces.");
            }
        }

        var pooling = manifest.PostProcessing.FirstOrDefault(s => s.Name == ProcessingSteps.MeanPooling);
        var tokenOutput = pooling?.Get("output", string.Empty) is { Length: > 0 } named
            ? model.Outputs.FirstOrDefault(o => o.Name == named)
            : model.Outputs.FirstOrDefault(o => o.Shape.Count == 3 && o.DataType == TensorDataType.Fp32);
        if (tokenOutput is null || tokenOutput.Shape.Count != 3 || tokenOutput.DataType != TensorDataType.Fp32)
        {
            throw MaasException.InvalidArgument("An embeddings model needs an FP32 output of shape [batch, tokens, dims] to pool.");
        }

        var normalize = manifest.PostProcessing.Any(s => s.Name == ProcessingSteps.L2Normalize);
        Dimensions = (int)tokenOutput.Shape[2];
        Inputs = [new TensorSpec(TextInput.Name, TensorDataType.Bytes, [-1])];
        Outputs = [new TensorSpec(EmbeddingOutput, TensorDataType.Fp32, [-1, Dimensions])];
        _queue = batching.CreateQueue(new EmbeddingBatchExecutor(model, _encoder, tokenOutput.Name, normalize, Dimensions));
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    public int Dimensions { get; }

    public PipelineLoad Load => _queue.Load;

    public long MemoryBytes => _model.MemoryBytes;

    /// <summary>Batch size, delay, queue, timeout and instances apply live; threads are baked into the engine's sessions.</summary>
    public bool TryApply(DeploymentSettings settings) => _queue.TryApply(settings);

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var texts = TextInput.Read(request, TextInput.Name, EmbeddingOutput);
        var result = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        return new InferenceResult([Tensor.Create(EmbeddingOutput, [result.Count, result.Dimensions], result.Vectors)]);
    }

    public async ValueTask<EmbeddingResult> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0)
        {
            throw MaasException.InvalidArgument("The batch is empty: give at least one text.");
        }

        if (texts.Count > _maxTexts)
        {
            throw new MaasException(MaasErrorKind.PayloadTooLarge, $"{texts.Count} texts in one request; the limit is {_maxTexts}.");
        }

        var rows = new long[texts.Count][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = _encoder.Tokenize(texts[i]);
        }

        return await _queue.EnqueueAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _model.DisposeAsync().ConfigureAwait(false);
    }
}
