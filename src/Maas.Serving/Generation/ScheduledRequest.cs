using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Serving.Tracing;

namespace Maas.Serving.Generation;

/// <summary>One request inside the scheduler: its tokens, its KV reservation, its sequence once started, and its output.</summary>
/// <remarks>Only the scheduler's loop touches the mutable state; the caller only reads <see cref="Output"/>.</remarks>
internal sealed class ScheduledRequest : IDisposable
{
    private readonly Channel<GenerationChunk> _output;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly StopTextFilter _text;
    private readonly HashSet<int> _endTokens;
    private readonly Func<int, byte[]> _tokenBytes;
    private readonly CancellationTokenRegistration _abandoned;
    private List<TokenLogprob>? _logprobs;
    private long _lastTokenAt;
    private ActivityContext _trace;
    private Activity? _queued;
    private Activity? _generating;
    private Exception? _error;

    public ScheduledRequest(
        IReadOnlyList<int> prompt,
        int maxTokens,
        GenerationRequest request,
        IReadOnlyList<int> endTokens,
        Func<int, byte[]> tokenBytes,
        TimeSpan deadline,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        Prompt = prompt;
        MaxTokens = maxTokens;
        Request = request;
        _endTokens = [.. endTokens];
        _tokenBytes = tokenBytes;
        _text = new StopTextFilter(request.Stop);
        _deadline = new CancellationTokenSource(deadline, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        ArrivedAt = time.GetTimestamp();

        // One chunk per token at most, plus the last: the writer never has to wait.
        _output = Channel.CreateBounded<GenerationChunk>(new BoundedChannelOptions(maxTokens + 2)
        {
            SingleReader = true,
        });

        // The caller learns at once; the scheduler frees the sequence's cells before its next step.
        _abandoned = _linked.Token.Register(static state => ((ScheduledRequest)state!).Abandon(), this);
    }

    public IReadOnlyList<int> Prompt { get; }

    public int MaxTokens { get; }

    public GenerationRequest Request { get; }

    /// <summary>KV-cache cells this request may use: its prompt and every token it may generate.</summary>
    public int Reservation => Prompt.Count + MaxTokens;

    public long ArrivedAt { get; }

    public IGenerationSequence? Sequence { get; set; }

    /// <summary>Prompt tokens the engine reused from its prefix cache (known once the sequence started).</summary>
    public int CachedTokens { get; set; }

    public int CompletionTokens { get; private set; }

    public ChannelReader<GenerationChunk> Output => _output.Reader;

    /// <summary>The client went away or the deadline passed.</summary>
    public bool IsAbandoned => _linked.IsCancellationRequested;

    /// <summary>Ends the request because the client cancelled or its deadline passed.</summary>
    public void Abandon()
    {
        Fail(_deadline.IsCancellationRequested
            ? new MaasException(MaasErrorKind.DeadlineExceeded, "The generation took longer than the server's deadline.")
            : new OperationCanceledException(_linked.Token));
    }

    public void Fail(Exception error)
    {
        Interlocked.CompareExchange(ref _error, error, null);
        _output.Writer.TryComplete(error);
    }

    /// <summary>Opens the <c>maas.queue</c> span, under the caller's current span, until the sequence starts.</summary>
    public void TraceQueued(string model)
    {
        _trace = Activity.Current?.Context ?? default;
        _queued = ServingActivities.StartDetached(ServingActivities.Queue, _trace);
        _queued?.SetTag("maas.model", model);
    }

    /// <summary>The sequence started: the queue span ends and the <c>maas.generate</c> span (prefill and every decode
    /// step of this sequence, shared with the others running) begins, under the caller's span.</summary>
    public void TraceStarted()
    {
        EndSpan(ref _queued);
        if (_trace != default)
        {
            _generating = ServingActivities.StartDetached(ServingActivities.Generate, _trace);
            _generating?.SetTag("maas.generation.prompt_tokens", Prompt.Count);
            _generating?.SetTag("maas.generation.cached_tokens", CachedTokens);
        }
    }

    private void EndSpan(ref Activity? span)
    {
        if (Interlocked.Exchange(ref span, null) is { } ended)
        {
            ServingActivities.EndDetached(ended, Volatile.Read(ref _error));
        }
    }

    /// <summary>Takes one sampled token; returns true when the generation has ended (chunks already written).</summary>
    public bool Accept(SampledToken token, TimeProvider time, GenerationMetrics metrics, string model)
    {
        var now = time.GetTimestamp();
        if (CompletionTokens == 0)
        {
            metrics.FirstToken(model, time.GetElapsedTime(ArrivedAt, now));
        }
        else
        {
            metrics.NextToken(model, time.GetElapsedTime(_lastTokenAt, now));
        }

        _lastTokenAt = now;
        CompletionTokens++;
        metrics.Generated(model);
        var isEnd = _endTokens.Contains(token.TokenId);
        var bytes = isEnd ? [] : _tokenBytes(token.TokenId);
        if (Request.Logprobs)
        {
            (_logprobs ??= []).Add(Describe(token, bytes));
        }

        var text = _text.Push(bytes);

        // A grammar that allows nothing more ends the generation as an end token would (the token itself is output).
        string? finish = isEnd || token.CompletesGrammar || _text.Stopped ? FinishReasons.Stop
            : CompletionTokens >= MaxTokens ? FinishReasons.Length
            : null;
        if (finish is null)
        {
            if (text.Length > 0 || _logprobs is { Count: > 0 })
            {
                _output.Writer.TryWrite(new GenerationChunk(text, TakeLogprobs()));
            }

            return false;
        }

        text += _text.Flush();
        _output.Writer.TryWrite(new GenerationChunk(text, TakeLogprobs(), finish, new GenerationUsage(Prompt.Count, CompletionTokens, CachedTokens)));
        _output.Writer.TryComplete();
        return true;
    }

    private List<TokenLogprob>? TakeLogprobs()
    {
        var taken = _logprobs;
        _logprobs = null;
        return taken;
    }

    private TokenLogprob Describe(SampledToken token, byte[] bytes)
    {
        var top = token.TopAlternatives is { Count: > 0 } alternatives && Request.Sampling.TopLogprobs > 0
            ? alternatives.Take(Request.Sampling.TopLogprobs).Select(a =>
            {
                var altBytes = _endTokens.Contains(a.TokenId) ? [] : _tokenBytes(a.TokenId);
                return new TopLogprob(Encoding.UTF8.GetString(altBytes), altBytes, a.LogProbability);
            }).ToList()
            : [];
        return new TokenLogprob(Encoding.UTF8.GetString(bytes), bytes, token.LogProbability, top);
    }

    public void Dispose()
    {
        EndSpan(ref _queued);
        _generating?.SetTag("maas.generation.completion_tokens", CompletionTokens);
        EndSpan(ref _generating);
        Sequence?.Dispose();
        Sequence = null;
        _abandoned.Dispose();
        _linked.Dispose();
        _deadline.Dispose();
    }
}
