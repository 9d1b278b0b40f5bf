namespace Maas.Engines.Llama;

/// <summary>Vocabulary-sized work arrays for sampling, owned by one generator and reused on every step.</summary>
/// <remarks>Steps are serialised per generator, so one set of buffers serves all of its sequences.</remarks>
internal sealed class SamplerScratch(int vocabularySize)
{
    public float[] Values { get; } = new float[vocabularySize];

    public float[] Keys { get; } = new float[vocabularySize];

    public int[] Order { get; } = new int[vocabularySize];
}
