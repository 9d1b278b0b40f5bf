namespace Maas.Core.Models;

/// <summary>Task names a manifest may carry.</summary>
public static class ModelTasks
{
    public const string Embeddings = "embeddings";
    public const string Classification = "classification";
    public const string Tensor = "tensor";
    public const string TextGeneration = "text-generation";

    /// <summary>Encoded images (JPEG, PNG, WebP) in, one FP32 vector per image out; pre-processing from the manifest.</summary>
    public const string ImageEmbeddings = "image-embeddings";

    public static IReadOnlyList<string> All { get; } = [Embeddings, Classification, Tensor, TextGeneration, ImageEmbeddings];
}
