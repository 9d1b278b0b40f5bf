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

    /// <summary>Softmax of a classifier's output; parameters <c>axis</c> (default -1, the last) and <c>output</c>
    /// (default: the model's first output).</summary>
    public const string Softmax = "softmax";

    /// <summary>How many classes a classifier answers with (<c>/models/{name}/predict</c>, and the default of the v2
    /// classification extension); parameters <c>k</c> (default 5) and <c>output</c>.</summary>
    public const string TopK = "top_k";

    /// <summary>Class names, one per line, index-aligned with the classifier's output; parameters <c>file</c> (default
    /// <c>labels.txt</c>, a file pushed with the version) and <c>output</c>.</summary>
    public const string Labels = "labels";
}
