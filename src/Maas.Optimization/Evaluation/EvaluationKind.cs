namespace Maas.Optimization.Evaluation;

/// <summary>How a model is fed and compared: the shape of its evaluation inputs and the agreement metric.</summary>
internal enum EvaluationKind
{
    /// <summary>A tensor model: inputs are tensors; features compare by cosine, classifiers by top-1 agreement.</summary>
    Tensor,

    /// <summary>An ONNX sentence encoder behind WordPiece: inputs are texts, tokenized as the pipeline does; cosine.</summary>
    TextEmbedding,

    /// <summary>A model that owns its tokenizer and returns one vector per text (GGUF embeddings); cosine.</summary>
    TextEmbedder,

    /// <summary>A text generator: inputs are prompts; greedy-token agreement.</summary>
    TextGeneration,
}
