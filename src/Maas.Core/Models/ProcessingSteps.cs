namespace Maas.Core.Models;

/// <summary>Names of the processing steps the serving pipelines understand.</summary>
public static class ProcessingSteps
{
    /// <summary>BERT WordPiece tokenizer; parameters <c>vocab</c>, <c>lowercase</c>, <c>max_length</c>.</summary>
    public const string WordPiece = "wordpiece";

    /// <summary>Mean over the token axis weighted by the attention mask; parameter <c>output</c>.</summary>
    public const string MeanPooling = "mean-pooling";

    /// <summary>Scales each vector to unit Euclidean length.</summary>
    public const string L2Normalize = "l2-normalize";

    /// <summary>Softmax over the last axis.</summary>
    public const string Softmax = "softmax";
}
