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
}
