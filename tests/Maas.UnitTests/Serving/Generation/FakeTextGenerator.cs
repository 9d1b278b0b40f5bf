using System.Collections.Concurrent;
using System.Text;
using Maas.Core.Engines;
using Maas.Core.Tensors;

namespace Maas.UnitTests.Serving.Generation;

/// <summary>A deterministic generator: one token per character of a small alphabet, the next token a pure function
/// of the sequence's tokens, every <see cref="StepAsync"/> batch recorded.</summary>
internal sealed class FakeTextGenerator : ITextGenerator
{
    public const int Bos = 1;
    public const int Eos = 2;

    /// <summary>Tokens 3 and 4 are the two bytes of "é" (C3 A9): neither is valid UTF-8 alone.</summary>
    public const int EAcuteFirstByte = 3;
    public const int EAcuteSecondByte = 4;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz .,!?<>|";
    private const int FirstCharToken = 10;

    private readonly Func<IReadOnlyList<int>, int, int> _next;
    private readonly ConcurrentDictionary<int, FakeSequence> _live = new();
    private int _ids;

    // next: the next token from (all tokens so far, tokens generated so far); default: a hash of the tokens.
    public FakeTextGenerator(Func<IReadOnlyList<int>, int, int>? next = null, int kvCapacity = 4096, int maxSequences = 16, string? chatTemplate = null)
    {
        _next = next ?? HashNext;
        Info = new TextGeneratorInfo(2048, FirstCharToken + Alphabet.Length, [Eos], chatTemplate, kvCapacity, maxSequences);
    }

    public TextGeneratorInfo Info { get; }

    public long MemoryBytes => 1024;

    public IReadOnlyList<TensorSpec> Inputs => [];

    public IReadOnlyList<TensorSpec> Outputs => [];

    /// <summary>Sequence ids of each step's batch, in order.</summary>
    public ConcurrentQueue<int[]> Batches { get; } = new();

    /// <summary>When set, each step waits for it (lets a test hold the loop between steps).</summary>
    public SemaphoreSlim? StepGate { get; set; }

    public int Started => Volatile.Read(ref _ids);

    public int LiveSequences => _live.Count;

    public bool Disposed { get; private set; }

    /// <summary>A script that writes <paramref name="text"/> then EOS (or keeps repeating its last character).</summary>
    public static Func<IReadOnlyList<int>, int, int> Script(string text, bool endWithEos = true)
    {
        var tokens = text.SelectMany(c => c == 'é' ? new[] { EAcuteFirstByte, EAcuteSecondByte } : [TokenOf(c)]).ToList();
        return (_, generated) => generated < tokens.Count ? tokens[generated] : endWithEos ? Eos : tokens[^1];
    }

    public static int TokenOf(char c) => FirstCharToken + Alphabet.IndexOf(c, StringComparison.Ordinal);

    public IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens)
    {
        var tokens = new List<int>();
        if (addSpecialTokens)
        {
            tokens.Add(Bos);
        }

        foreach (var c in text)
        {
            if (c == 'é')
            {
                tokens.AddRange([EAcuteFirstByte, EAcuteSecondByte]);
            }
            else
            {
                tokens.Add(TokenOf(char.ToLowerInvariant(c)));
            }
        }

        return tokens;
    }

    public string Detokenize(IReadOnlyList<int> tokens) => Encoding.UTF8.GetString(tokens.SelectMany(GetTokenBytes).ToArray());

    public byte[] GetTokenBytes(int token) => token switch
    {
        Bos or Eos => [],
        EAcuteFirstByte => [0xC3],
        EAcuteSecondByte => [0xA9],
        >= FirstCharToken when token < FirstCharToken + Alphabet.Length => [(byte)Alphabet[token - FirstCharToken]],
        _ => throw new ArgumentOutOfRangeException(nameof(token)),
    };

    /// <summary>Simulated prefix cache: a sequence reports as cached the longest prefix it shares with any prompt
    /// started before (all but its last token at most).</summary>
    public bool PrefixCache { get; init; }

    /// <summary>What the generator reports as prefix-cache evictions; a test sets it.</summary>
    public long PrefixCacheEvictions { get; set; }

    private readonly ConcurrentQueue<IReadOnlyList<int>> _prompts = new();

    public IGenerationSequence StartSequence(IReadOnlyList<int> prompt, SamplingOptions sampling)
    {
        var cached = !PrefixCache ? 0 : _prompts.Select(p => p.Zip(prompt).TakeWhile(t => t.First == t.Second).Count()).DefaultIfEmpty(0).Max();
        _prompts.Enqueue([.. prompt]);
        var sequence = new FakeSequence(this, Interlocked.Increment(ref _ids), prompt, sampling) { CachedTokens = Math.Min(cached, prompt.Count - 1) };
        _live[sequence.Id] = sequence;
        return sequence;
    }

    public async ValueTask<IReadOnlyList<SampledToken>> StepAsync(IReadOnlyList<IGenerationSequence> sequences, CancellationToken cancellationToken = default)
    {
        if (StepGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }
        else
        {
            await Task.Yield();
        }

        var batch = sequences.Cast<FakeSequence>().ToArray();
        Batches.Enqueue(batch.Select(s => s.Id).ToArray());
        var results = new SampledToken[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            var sequence = batch[i];
            if (sequence.IsDisposed)
            {
                throw new InvalidOperationException($"Sequence {sequence.Id} was stepped after being disposed.");
            }

            var generated = sequence.Tokens.Count - sequence.PromptCount;
            var token = _next(sequence.Tokens, generated);
            sequence.Tokens.Add(token);
            var top = sequence.Sampling.TopLogprobs > 0
                ? Enumerable.Range(0, sequence.Sampling.TopLogprobs).Select(k => new TokenAlternative(FirstCharToken + k, -1f - k)).ToList()
                : null;
            results[i] = new SampledToken(token, -0.25f, top);
        }

        return results;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private static int HashNext(IReadOnlyList<int> tokens, int generated)
    {
        var hash = 17;
        foreach (var token in tokens)
        {
            hash = unchecked((hash * 31) + token);
        }

        return FirstCharToken + (int)((uint)hash % 26);
    }

    internal void Release(FakeSequence sequence) => _live.TryRemove(sequence.Id, out _);

    internal sealed class FakeSequence(FakeTextGenerator owner, int id, IReadOnlyList<int> prompt, SamplingOptions sampling) : IGenerationSequence
    {
        public int Id { get; } = id;

        public List<int> Tokens { get; } = [.. prompt];

        public int PromptCount { get; } = prompt.Count;

        public SamplingOptions Sampling { get; } = sampling;

        public bool IsDisposed { get; private set; }

        public int TokenCount => Tokens.Count;

        public int CachedTokens { get; init; }

        public void Dispose()
        {
            IsDisposed = true;
            owner.Release(this);
        }
    }
}
