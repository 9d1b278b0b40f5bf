namespace Maas.Engines.Llama;

/// <summary>Vocabulary-sized work arrays for sampling, owned by one generator and reused on every step.</summary>
/// <remarks>Steps are serialised per generator, so one set of buffers serves all of its sequences.</remarks>
internal sealed class SamplerScratch(int vocabularySize)
{
    /// <summary>Buckets of the top-p histogram: <see cref="BucketsPerNat"/> per nat of distance below the most likely logit.</summary>
    public const int Buckets = 256;

    public const float BucketsPerNat = 8f;

    /// <summary>The adjusted logits, then the weights exp((logit - max) / temperature).</summary>
    public float[] Values { get; } = new float[vocabularySize];

    /// <summary>Candidate token ids (a heap for top-k, then sorted by weight).</summary>
    public int[] Order { get; } = new int[vocabularySize];

    public double[] BucketWeights { get; } = new double[Buckets];

    /// <summary>Each token's top-p histogram bucket, from the same pass that fills <see cref="BucketWeights"/>.</summary>
    public byte[] TokenBuckets { get; } = new byte[vocabularySize];

    /// <summary>Sort keys: the weight's bits inverted (high half, so heavier sorts first) and the token id (low half).</summary>
    public ulong[] Keys { get; } = new ulong[vocabularySize];
}
