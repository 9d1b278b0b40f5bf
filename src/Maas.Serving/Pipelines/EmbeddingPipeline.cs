using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>Sentence embeddings: text → WordPiece → encoder → mean pooling over the mask → L2 normalisation.</summary>
/// <remarks>Protocol view: input BYTES <c>text</c> [N], output FP32 <c>embedding</c> [N, D].</remarks>
internal sealed class EmbeddingPipeline : IEmbeddingPipeline
{
    public const string EmbeddingOutput = "embedding";

    private readonly ITensorModel _model;
    private readonly WordPieceEncoder _encoder;
    private readonly string _tokenOutput;
    private readonly bool _normalize;
    private readonly int _maxTexts;

    public EmbeddingPipeline(ITensorModel model, ModelManifest manifest, IReadOnlyDictionary<string, string> files, int maxTexts)
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

        _tokenOutput = tokenOutput.Name;
        _normalize = manifest.PostProcessing.Any(s => s.Name == ProcessingSteps.L2Normalize);
        Dimensions = (int)tokenOutput.Shape[2];
        Inputs = [new TensorSpec(TextInput.Name, TensorDataType.Bytes, [-1])];
        Outputs = [new TensorSpec(EmbeddingOutput, TensorDataType.Fp32, [-1, Dimensions])];
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    public int Dimensions { get; }

    public PipelineLoad Load => default;

    public long MemoryBytes => _model.MemoryBytes;

    public bool TryApply(DeploymentSettings settings) => false;

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var texts = TextInput.Read(request, TextInput.Name, EmbeddingOutput);
        var (tensor, _) = await RunAsync(texts, cancellationToken).ConfigureAwait(false);
        return new InferenceResult([tensor]);
    }

    public async ValueTask<EmbeddingResult> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var (tensor, tokens) = await RunAsync(texts, cancellationToken).ConfigureAwait(false);
        using (tensor)
        {
            return new EmbeddingResult(tensor.AsSpan<float>().ToArray(), texts.Count, Dimensions, tokens);
        }
    }

    private async ValueTask<(Tensor Embeddings, int Tokens)> RunAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            throw MaasException.InvalidArgument("The batch is empty: give at least one text.");
        }

        if (texts.Count > _maxTexts)
        {
            throw new MaasException(MaasErrorKind.PayloadTooLarge, $"{texts.Count} texts in one request; the limit is {_maxTexts}.");
        }

        var batch = _encoder.Encode(texts);
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        var inputs = new List<Tensor>(_model.Inputs.Count);
        foreach (var spec in _model.Inputs)
        {
            var data = spec.Name switch
            {
                "input_ids" => batch.InputIds,
                "attention_mask" => batch.AttentionMask,
                _ => batch.TokenTypeIds,
            };
            inputs.Add(Tensor.Create(spec.Name, shape, data));
        }

        using var result = await _model.RunAsync(inputs, [_tokenOutput], cancellationToken).ConfigureAwait(false);
        var tokens = result.Outputs[0];
        var dims = (int)tokens.Shape[2];
        if (dims != Dimensions || tokens.Shape[0] != batch.BatchSize || tokens.Shape[1] != batch.SequenceLength)
        {
            throw new MaasException(MaasErrorKind.Internal, $"The encoder returned shape [{string.Join(", ", tokens.Shape)}], not [{batch.BatchSize}, {batch.SequenceLength}, {Dimensions}].");
        }

        var pooled = Tensor.Rent<float>(EmbeddingOutput, [batch.BatchSize, dims]);
        Pooling.MeanPool(tokens.AsSpan<float>(), batch.AttentionMask, batch.BatchSize, batch.SequenceLength, dims, pooled.AsSpan<float>());
        if (_normalize)
        {
            Pooling.L2Normalize(pooled.AsSpan<float>(), batch.BatchSize, dims);
        }

        return (pooled, batch.TokenCount);
    }

    public ValueTask DisposeAsync() => _model.DisposeAsync();
}
