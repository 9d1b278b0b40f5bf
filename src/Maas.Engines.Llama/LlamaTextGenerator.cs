using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Native;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Grammars;
using Maas.Core.Tensors;
using Microsoft.Extensions.Logging;

namespace Maas.Engines.Llama;

/// <summary>A GGUF model loaded into llama.cpp: one set of weights and one context shared by up to
/// <see cref="TextGeneratorInfo.MaxSequences"/> sequences, decoded together one step at a time.</summary>
/// <remarks>
/// Owns its <see cref="LLamaWeights"/> and <see cref="LLamaContext"/> and disposes both. Every step is a single
/// <c>llama_decode</c> over all given sequences: a new sequence contributes its whole prompt, the others their
/// last sampled token, each under its own llama.cpp sequence id and positions. A lock serialises everything
/// that touches the context (steps, starting and releasing sequences, disposal); tokenizing only reads the
/// vocabulary and runs without it.
/// <para>Prefix caching: a finished sequence keeps its KV cells under its id (up to <c>cachedPrefixes</c> of them,
/// on ids beyond the running ones). A new sequence whose prompt starts with tokens some cached or running sequence
/// has already decoded copies those cells (<c>llama_memory_seq_cp</c>: the same cells, now under both ids, at the same
/// positions) and decodes only the rest; its sampler still sees the whole prompt. Cached prefixes are dropped least
/// recently used first when a new sequence or a step needs cells; cells a running sequence shares stay until it ends.
/// <see cref="LlamaKvLedger"/> keeps the index and the cell count.</para>
/// </remarks>
internal sealed class LlamaTextGenerator : ITextGenerator
{
    private readonly string _key;
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly ILogger _logger;
    private readonly bool _stripLeadingSpace;
    private readonly LLamaBatch _batch = new();
    private readonly SamplerScratch _scratch;
    private readonly LlamaKvLedger _ledger;
    private readonly int _maxRunning;
    private readonly int _ids;
    private readonly bool _cachePrefixes;
    private readonly LlamaAbortSignal _abort;
    private readonly Lock _gate = new();
    private bool _disposed;
    private GrammarVocabulary? _grammarVocabulary;
    private long _steps;
    private long _stepTicks;
    private long _grammarTicks;

    /// <summary>Takes ownership of <paramref name="weights"/> and <paramref name="context"/>: up to
    /// <paramref name="maxRunning"/> sequences run at once and <paramref name="cachedPrefixes"/> finished ones are kept
    /// for their prefixes (0 turns prefix caching off); the context must have that many sequence ids in all.</summary>
    public LlamaTextGenerator(string key, LLamaWeights weights, LLamaContext context, ILogger logger, int maxRunning, int cachedPrefixes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunning, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedPrefixes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRunning + cachedPrefixes, (int)context.NativeHandle.MaxSeq);
        _key = key;
        _weights = weights;
        _context = context;
        _logger = logger;
        var vocab = weights.Vocab;
        _stripLeadingSpace = AddsSpacePrefix(weights);
        Info = new TextGeneratorInfo(
            ContextLength: weights.ContextSize > 0 ? weights.ContextSize : (int)context.ContextSize,
            VocabularySize: vocab.Count,
            EndOfGenerationTokens: EndOfGenerationTokens(vocab),
            ChatTemplate: weights.Metadata.TryGetValue("tokenizer.chat_template", out var template) ? template : null,
            KvCacheCapacity: (int)context.ContextSize,
            MaxSequences: maxRunning);
        _scratch = new SamplerScratch(vocab.Count);
        _maxRunning = maxRunning;
        _ids = maxRunning + cachedPrefixes;
        _cachePrefixes = cachedPrefixes > 0;
        _ledger = new LlamaKvLedger(_ids, cachedPrefixes);
        _abort = new LlamaAbortSignal(context.NativeHandle);
    }

    public TextGeneratorInfo Info { get; }

    /// <summary>Weights plus the KV cache (two FP16 vectors of the embedding width per cell and layer: an upper
    /// estimate, since grouped-query attention stores fewer).</summary>
    public long MemoryBytes => (long)_weights.SizeInBytes + ((long)Info.KvCacheCapacity * _weights.EmbeddingSize * 2 * 2 * Math.Max(1, _weights.NativeHandle.LayerCount));

    public IReadOnlyList<TensorSpec> Inputs => [];

    public IReadOnlyList<TensorSpec> Outputs => [];

    public long PrefixCacheEvictions
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Evictions;
            }
        }
    }

    /// <summary>Tokenizes with llama.cpp's tokenizer; special-token text (e.g. a chat template's markers) is parsed
    /// as the special token, and BOS/EOS are added only when asked and when the model's vocabulary wants them.</summary>
    public IReadOnlyList<int> Tokenize(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = _weights.NativeHandle.Tokenize(text, addSpecialTokens, true, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            ids[i] = (int)tokens[i];
        }

        return ids;
    }

    /// <summary>Joins the tokens' bytes; control tokens give no text, and the space a SentencePiece vocabulary
    /// puts before the first word is dropped so that text survives a round trip.</summary>
    public string Detokenize(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var bytes = new List<byte>(tokens.Count * 4);
        Span<byte> buffer = stackalloc byte[64];
        var stripSpace = _stripLeadingSpace;
        foreach (var token in tokens)
        {
            var piece = TokenBytes(token, buffer, stripSpace ? 1 : 0);
            stripSpace &= piece.Length == 0;
            foreach (var b in piece)
            {
                bytes.Add(b);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public byte[] GetTokenBytes(int token)
    {
        Span<byte> buffer = stackalloc byte[64];
        return TokenBytes(token, buffer, 0).ToArray();
    }

    public IGenerationSequence StartSequence(IReadOnlyList<int> prompt, SamplingOptions sampling)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampling);
        if (prompt.Count == 0)
        {
            throw MaasException.InvalidArgument("The prompt has no tokens.");
        }

        var limit = Math.Min(Info.ContextLength, Info.KvCacheCapacity);
        if (prompt.Count > limit)
        {
            throw MaasException.InvalidArgument(
                $"The prompt has {prompt.Count} tokens; {_key} takes at most {limit} (context length {Info.ContextLength}, KV cache {Info.KvCacheCapacity}).");
        }

        foreach (var token in prompt)
        {
            if ((uint)token >= (uint)Info.VocabularySize)
            {
                throw MaasException.InvalidArgument($"Token {token} is not in the vocabulary of {_key} ({Info.VocabularySize} tokens).");
            }
        }

        foreach (var token in sampling.LogitBias?.Keys ?? Enumerable.Empty<int>())
        {
            if ((uint)token >= (uint)Info.VocabularySize)
            {
                throw MaasException.InvalidArgument($"logit_bias names token {token}, which is not in the vocabulary of {_key} ({Info.VocabularySize} tokens).");
            }
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_ledger.Running >= _maxRunning)
            {
                throw MaasException.Unavailable($"{_key} is already generating {_maxRunning} sequences, its maximum.");
            }

            var (source, reused) = _cachePrefixes ? _ledger.Match(prompt) : (null, 0);
            while (!_ledger.HasFreeId && _ledger.LeastRecentlyUsed(source) is { } victim)
            {
                Evict(victim);
            }

            // Cells: the new sequence adds the tokens it decodes itself. Older cached prefixes go first; the source
            // goes last, and then the prompt is decoded whole.
            while (Info.KvCacheCapacity - _ledger.CellsInUse() < prompt.Count - reused)
            {
                if (_ledger.LeastRecentlyUsed(source) is { } victim)
                {
                    Evict(victim);
                }
                else if (source is { IsRunning: false })
                {
                    Evict(source);
                    (source, reused) = (null, 0);
                }
                else
                {
                    // Transient: cells come back as other sequences finish.
                    var free = Info.KvCacheCapacity - _ledger.CellsInUse();
                    throw MaasException.Unavailable($"The prompt needs {prompt.Count - reused} KV cells; {_key} has {free} free now.");
                }
            }

            var entry = _ledger.Start(prompt, source, reused);
            if (source is not null && reused > 0)
            {
                _context.NativeHandle.MemorySequenceCopy((LLamaSeqId)source.Id, (LLamaSeqId)entry.Id, 0, reused);
                LlamaLog.PrefixReused(_logger, _key, reused, prompt.Count, source.IsRunning ? "running" : "cached");
            }

            var grammar = sampling.Grammar is { } rules ? GrammarVocabulary().CreateMatcher(rules) : null;
            return new LlamaSequence(this, entry, new TokenSampler(sampling, prompt, grammar));
        }
    }

    public async ValueTask<IReadOnlyList<SampledToken>> StepAsync(IReadOnlyList<IGenerationSequence> sequences, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        cancellationToken.ThrowIfCancellationRequested();
        if (sequences.Count == 0)
        {
            return [];
        }

        var own = new LlamaSequence[sequences.Count];
        for (var i = 0; i < own.Length; i++)
        {
            own[i] = sequences[i] as LlamaSequence is { } s && s.Owner == this
                ? s
                : throw new ArgumentException("The sequence was not started by this generator.", nameof(sequences));
        }

        // A decode is CPU-bound native work: keep it off the scheduler's thread.
        return await Task.Run(() => Step(own, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a sequence's KV cells and frees its id; called by <see cref="LlamaSequence.Dispose"/>.</summary>
    internal void Release(LlamaSequence sequence)
    {
        lock (_gate)
        {
            if (sequence.IsReleased)
            {
                return;
            }

            sequence.MarkReleased();
            if (_disposed)
            {
                return;
            }

            // Cells past the decoded tokens (none unless a step failed half-way) never stay.
            _context.NativeHandle.MemorySequenceRemove(sequence.Id, sequence.Position, -1);
            foreach (var removed in _ledger.Finish(sequence.Entry, keep: _cachePrefixes))
            {
                _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)removed.Id, 0, -1);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _ledger.Clear();
            _context.Dispose();
            _weights.Dispose();
            _abort.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Steps so far, their time (decode and sampling) and the part of it spent in grammar masks, in
    /// <see cref="Stopwatch"/> ticks: how the bench measures what structured output costs per step.</summary>
    internal (long Steps, long StepTicks, long GrammarTicks) StepTimings
    {
        get
        {
            lock (_gate)
            {
                return (_steps, _stepTicks, _grammarTicks);
            }
        }
    }

    // Every token's text, read once per loaded model on the first constrained request (under the lock).
    private GrammarVocabulary GrammarVocabulary() =>
        _grammarVocabulary ??= new GrammarVocabulary(Info.VocabularySize, GetTokenBytes, Info.EndOfGenerationTokens);

    /// <summary>One decode and sampling pass, synchronously; the token reaches llama.cpp's abort callback.</summary>
    internal SampledToken[] Step(LlamaSequence[] sequences, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var started = Stopwatch.GetTimestamp();
            ObjectDisposedException.ThrowIf(_disposed, this);
            var seen = new bool[_ids];
            foreach (var sequence in sequences)
            {
                ObjectDisposedException.ThrowIf(sequence.IsReleased, sequence);
                if (seen[sequence.Id.Value])
                {
                    throw new ArgumentException("A sequence appears twice in one step.", nameof(sequences));
                }

                seen[sequence.Id.Value] = true;
            }

            // The scheduler reserves cells for every running sequence; cached prefixes give way to them.
            while (_ledger.CellsInUse() > Info.KvCacheCapacity && _ledger.LeastRecentlyUsed() is { } victim)
            {
                Evict(victim);
            }

            if (_ledger.CellsInUse() > Info.KvCacheCapacity)
            {
                throw MaasException.Unavailable($"The KV cache of {_key} is full ({Info.KvCacheCapacity} cells); finish or drop a sequence.");
            }

            var logitIndices = FillBatch(sequences);
            DecodeResult result;
            _abort.Token = cancellationToken;
            try
            {
                result = _context.NativeHandle.Decode(_batch);
            }
            finally
            {
                _abort.Token = default;
            }

            if (result != DecodeResult.Ok)
            {
                Rollback(sequences);
                if (result == DecodeResult.ComputeAborted)
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                LlamaLog.DecodeFailed(_logger, _key, _batch.TokenCount, sequences.Length, result.ToString());
                throw result == DecodeResult.NoKvSlot
                    ? MaasException.Unavailable($"The KV cache of {_key} has no room for this step.")
                    : new MaasException(MaasErrorKind.Internal, $"llama.cpp could not decode a step of {_key}: {result}.");
            }

            var sampled = new SampledToken[sequences.Length];
            for (var i = 0; i < sequences.Length; i++)
            {
                var logits = _context.NativeHandle.GetLogitsIth(logitIndices[i]);
                var sampler = sequences[i].Sampler;
                var grammarBefore = sampler.GrammarTicks;
                sampled[i] = sampler.Sample(logits, _scratch);
                _grammarTicks += sampler.GrammarTicks - grammarBefore;
                sequences[i].Advance(sampled[i].TokenId);
            }

            _steps++;
            _stepTicks += Stopwatch.GetTimestamp() - started;
            return sampled;
        }
    }

    private int[] FillBatch(LlamaSequence[] sequences)
    {
        _batch.Clear();
        var logitIndices = new int[sequences.Length];
        for (var i = 0; i < sequences.Length; i++)
        {
            var sequence = sequences[i];
            var end = sequence.TokenCount;
            for (var position = sequence.Position; position < end; position++)
            {
                logitIndices[i] = _batch.Add(sequence.TokenAt(position), position, sequence.Id, position == end - 1);
            }
        }

        return logitIndices;
    }

    // A failed decode may have written some micro-batches; drop whatever this step added so positions stay consistent.
    private void Rollback(LlamaSequence[] sequences)
    {
        foreach (var sequence in sequences)
        {
            _context.NativeHandle.MemorySequenceRemove(sequence.Id, sequence.Position, -1);
        }
    }

    private void Evict(LlamaKvEntry victim)
    {
        _ledger.Evict(victim);
        _context.NativeHandle.MemorySequenceRemove((LLamaSeqId)victim.Id, 0, -1);
        LlamaLog.PrefixEvicted(_logger, _key, victim.Decoded);
    }

    private ReadOnlySpan<byte> TokenBytes(int token, Span<byte> buffer, int leadingSpacesToSkip)
    {
        if ((uint)token >= (uint)Info.VocabularySize)
        {
            throw MaasException.InvalidArgument($"Token {token} is not in the vocabulary of {_key}.");
        }

        var length = (int)_weights.NativeHandle.TokenToSpan(token, buffer, leadingSpacesToSkip, false);
        if (length <= buffer.Length)
        {
            return buffer[..length];
        }

        var larger = new byte[length];
        _weights.NativeHandle.TokenToSpan(token, larger, leadingSpacesToSkip, false);
        return larger;
    }

    private static int[] EndOfGenerationTokens(SafeLlamaModelHandle.Vocabulary vocab)
    {
        var tokens = new List<int>();
        for (var id = 0; id < vocab.Count; id++)
        {
            if (((LLamaToken)id).IsEndOfGeneration(vocab))
            {
                tokens.Add(id);
            }
        }

        return [.. tokens];
    }

    // llama.cpp's SentencePiece and Unigram tokenizers put a space before the text unless the file says not to.
    private static bool AddsSpacePrefix(LLamaWeights weights)
    {
        if (weights.Metadata.TryGetValue("tokenizer.ggml.add_space_prefix", out var value) && bool.TryParse(value, out var flag))
        {
            return flag;
        }

        return weights.Vocab.Type is LLamaVocabType.SentencePiece or LLamaVocabType.Unigram;
    }
}
