using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Maas.Core.Engines;
using Maas.Engines.Llama;

namespace Maas.Bench;

/// <summary>The baseline: greedy decoding straight on LLamaSharp, one sequence, no scheduler, no HTTP.</summary>
/// <remarks>
/// The context is built with the parameters the llama engine uses (threads, sequence count, unified KV cache of the
/// same size, logical batch = context, micro-batch 512), so the two differ only in what Maas adds around llama_decode.
/// </remarks>
internal sealed class DirectLlamaGenerator : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private readonly HashSet<int> _endTokens = [];
    private readonly float[] _scratch;

    /// <summary>A generator whose context has the shape the llama engine builds with its default options and the
    /// default deployment settings (sequences, cells for the model's trained context length, micro-batch).</summary>
    public static DirectLlamaGenerator LikeEngine(string path, int threads, long? trainedContextLength)
    {
        var engine = new LlamaEngineOptions();
        var sequences = LlamaEngine.Sequences(new DeploymentSettings());
        return new DirectLlamaGenerator(path, threads, sequences,
            LlamaEngine.ContextCells(engine, sequences, (int)(trainedContextLength ?? 0)), engine.BatchSize);
    }

    public DirectLlamaGenerator(string path, int threads, int maxSequences, int contextCells, int microBatch)
    {
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            SeqMax = (uint)maxSequences,
            KVUnified = true,
        };
        _weights = LLamaWeights.LoadFromFile(parameters);
        parameters.ContextSize = (uint)contextCells;
        parameters.BatchSize = (uint)contextCells;
        parameters.UBatchSize = (uint)Math.Min(microBatch, contextCells);
        _context = _weights.CreateContext(parameters);
        var vocab = _weights.Vocab;
        for (var id = 0; id < vocab.Count; id++)
        {
            if (((LLamaToken)id).IsEndOfGeneration(vocab))
            {
                _endTokens.Add(id);
            }
        }

        _scratch = new float[vocab.Count];
    }

    /// <summary>Tokens of <paramref name="prompt"/> as <see cref="Generate"/> feeds them (BOS included).</summary>
    public int CountTokens(string prompt) => _weights.NativeHandle.Tokenize(prompt, true, true, Encoding.UTF8).Length;

    /// <summary>Generates up to <paramref name="maxTokens"/> tokens greedily, stopping early at an end-of-generation token as the server does.</summary>
    public StreamTiming Generate(string prompt, int maxTokens)
    {
        var timing = new StreamTiming();
        var handle = _context.NativeHandle;
        var tokens = _weights.NativeHandle.Tokenize(prompt, true, true, Encoding.UTF8);
        timing.PromptTokens = tokens.Length;
        var sequence = (LLamaSeqId)0;
        try
        {
            _batch.Clear();
            var last = 0;
            for (var i = 0; i < tokens.Length; i++)
            {
                last = _batch.Add(tokens[i], i, sequence, i == tokens.Length - 1);
            }

            var position = tokens.Length;
            while (true)
            {
                Decode(handle);
                var token = ArgMax(handle.GetLogitsIth(last));
                if (_endTokens.Contains(token))
                {
                    break;
                }

                timing.Arrivals.Add(Stopwatch.GetTimestamp());
                timing.Tokens++;
                if (timing.Tokens == maxTokens)
                {
                    break;
                }

                _batch.Clear();
                last = _batch.Add(token, position++, sequence, true);
            }
        }
        finally
        {
            handle.MemorySequenceRemove(sequence, 0, -1);
        }

        timing.Finished = Stopwatch.GetTimestamp();
        return timing;
    }

    /// <summary>Generates for all <paramref name="prompts"/> together, one llama_decode per step for every live sequence,
    /// as the server's scheduler does when they arrive together: the in-process bound for concurrent streams.</summary>
    public List<StreamTiming> GenerateTogether(IReadOnlyList<string> prompts, int maxTokens)
    {
        var handle = _context.NativeHandle;
        var timings = prompts.Select(_ => new StreamTiming()).ToList();
        var positions = new int[prompts.Count];
        var next = new int[prompts.Count];
        var logitIndex = new int[prompts.Count];
        var live = Enumerable.Range(0, prompts.Count).ToList();
        try
        {
            _batch.Clear();
            for (var s = 0; s < prompts.Count; s++)
            {
                var tokens = _weights.NativeHandle.Tokenize(prompts[s], true, true, Encoding.UTF8);
                for (var i = 0; i < tokens.Length; i++)
                {
                    logitIndex[s] = _batch.Add(tokens[i], i, (LLamaSeqId)s, i == tokens.Length - 1);
                }

                positions[s] = tokens.Length;
            }

            while (live.Count > 0)
            {
                Decode(handle);
                var now = Stopwatch.GetTimestamp();
                for (var j = live.Count - 1; j >= 0; j--)
                {
                    var s = live[j];
                    var token = ArgMax(handle.GetLogitsIth(logitIndex[s]));
                    if (!_endTokens.Contains(token))
                    {
                        timings[s].Arrivals.Add(now);
                        timings[s].Tokens++;
                    }

                    if (_endTokens.Contains(token) || timings[s].Tokens == maxTokens)
                    {
                        timings[s].Finished = now;
                        live.RemoveAt(j);
                        continue;
                    }

                    next[s] = token;
                }

                _batch.Clear();
                foreach (var s in live)
                {
                    logitIndex[s] = _batch.Add(next[s], positions[s]++, (LLamaSeqId)s, true);
                }
            }
        }
        finally
        {
            for (var s = 0; s < prompts.Count; s++)
            {
                handle.MemorySequenceRemove((LLamaSeqId)s, 0, -1);
            }
        }

        return timings;
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    private void Decode(SafeLLamaContextHandle handle)
    {
        var result = handle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed: {result}");
        }
    }

    // Copies first, as the engine's sampler does, so both pay the same for reading the logits.
    private int ArgMax(Span<float> logits)
    {
        logits.CopyTo(_scratch);
        var best = 0;
        for (var i = 1; i < _scratch.Length; i++)
        {
            if (_scratch[i] > _scratch[best])
            {
                best = i;
            }
        }

        return best;
    }
}
