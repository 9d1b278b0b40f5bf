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
    // Image pre-processing (task image-embeddings), run in manifest order: spatial steps on the decoded pixels,
    // then value steps on the FP32 tensor. See Maas.Serving.Processing.Images.ImagePreprocessor.

    /// <summary>Decodes JPEG, PNG or WebP after checking the header's size; parameter <c>max_pixels</c> (optional,
    /// at most the server's <c>Maas:Serving:Images:MaxPixels</c>).</summary>
    public const string DecodeImage = "decode_image";

    /// <summary>Resizes; parameters <c>shorter_side</c> (keeps the aspect ratio) or <c>size</c> (<c>224</c> or
    /// <c>224x224</c>, width x height), and <c>filter</c> <c>nearest</c>, <c>linear</c> (default, with mipmaps),
    /// <c>cubic</c> (Mitchell) or <c>catmull-rom</c>.</summary>
    public const string Resize = "resize";

    /// <summary>Crops the centre; parameter <c>size</c> (<c>224</c> or <c>224x224</c>).</summary>
    public const string CenterCrop = "center_crop";

    /// <summary>Channel order of the tensor; parameter <c>order</c> <c>RGB</c> (default) or <c>BGR</c>.</summary>
    public const string ChannelOrder = "channel_order";

    /// <summary>Tensor layout; parameter <c>layout</c> <c>NCHW</c> (default) or <c>NHWC</c>.</summary>
    public const string Layout = "layout";

    /// <summary>Value range of the pixels; parameter <c>range</c> <c>0-255</c> (default) or <c>0-1</c>.</summary>
    public const string Scale = "scale";

    /// <summary>(x - mean) / std per channel, in the tensor's channel order; parameters <c>mean</c> and <c>std</c>,
    /// comma-separated.</summary>
    public const string Normalize = "normalize";

    /// <summary>Subtracts per-channel <c>values</c> (comma-separated) or a mean image <c>file</c> (a version file in
    /// NumPy <c>.npy</c> format, float32, shaped like one image of the tensor).</summary>
    public const string SubtractMean = "subtract_mean";
}
