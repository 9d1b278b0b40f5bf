namespace Maas.Formats.Gguf;

/// <summary>The two factors a LoRA adapter stores for one base tensor.</summary>
/// <param name="BaseName">The adapted tensor of the base model, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="A">ggml shape [in, rank]: the down projection (stored transposed, as llama.cpp expects).</param>
/// <param name="B">ggml shape [rank, out]: the up projection.</param>
public sealed record LoraTensorPair(string BaseName, GgufTensorInfo A, GgufTensorInfo B)
{
    /// <summary>The rank r of this pair (A's second dimension).</summary>
    public long Rank => A.Dimensions.Count > 1 ? A.Dimensions[1] : 1;
}
