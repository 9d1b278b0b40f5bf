namespace Maas.Core.Engines;

/// <summary>A token generator (a large language model) driven one decoding step at a time.</summary>
/// <remarks>
/// The engine does not loop by itself: a token scheduler in Maas.Serving owns the set of active sequences,
/// admits new ones between steps and calls <see cref="StepAsync"/> with all of them, so continuous batching
/// lives above the engine and protocols only see streams of text. Calls to <see cref="StepAsync"/> are made by
/// one scheduler thread at a time; <see cref="Tokenize"/> and <see cref="Detokenize"/> may be called concurrently.
/// </remarks>
public interface ITextGenerator : ILoadedModel
{
    /// <summary>Context length, vocabulary, special tokens, chat template and KV-cache capacity.</summary>
    TextGeneratorInfo Info { get; }

    /// <summary>Turns text into token ids.</summary>
    IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens);

    /// <summary>Turns token ids back into text.</summary>
    string Detokenize(IReadOnlyList<int> tokens);

    /// <summary>The UTF-8 bytes one token stands for (a multi-byte character may span tokens).</summary>
    byte[] GetTokenBytes(int token);

    /// <summary>Starts a sequence with its own sampler state and KV-cache cells; the prompt is decoded on the next step.</summary>
    IGenerationSequence StartSequence(IReadOnlyList<int> prompt, SamplingOptions sampling);

    /// <summary>Decodes every given sequence in one native batch and samples one token for each, in order.</summary>
    ValueTask<IReadOnlyList<SampledToken>> StepAsync(IReadOnlyList<IGenerationSequence> sequences, CancellationToken cancellationToken = default);

    /// <summary>Cached prefixes dropped so far to make room (KV cells or sequence ids) for new sequences; 0 for engines
    /// without a prefix cache. Read by the scheduler between steps for its eviction metric.</summary>
    long PrefixCacheEvictions => 0;
}
