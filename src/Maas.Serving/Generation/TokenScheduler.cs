using System.Threading.Channels;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Maas.Serving.Generation;

/// <summary>Continuous batching for one loaded generator: one loop steps every active sequence together.</summary>
/// <remarks>
/// Requests wait in a bounded queue (429 at once when every sequence slot is taken and the queue is full) and are
/// admitted between steps while there is a free sequence slot and room in the KV cache for the prompt plus every token the request may generate, so a running
/// sequence can never run out of cells. Admission is first come, first served: a request that does not fit yet
/// holds back those behind it, which keeps large requests from starving. A request whose client went away or
/// whose deadline passed is dropped, and its cells freed, before the next step.
/// </remarks>
internal sealed partial class TokenScheduler : IAsyncDisposable
{
    private readonly ITextGenerator _generator;
    private readonly int _capacity;
    private TokenSchedulerOptions _options;
    private int _running;
    private readonly GenerationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _model;
    private readonly Channel<ScheduledRequest> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ScheduledRequest> _active = [];
    private readonly Task _loop;
    private ScheduledRequest? _head;
    private int _reserved;
    private long _evictions;

    // Requests submitted and not yet finished, running or waiting. The bound is on this sum rather than on the
    // queue alone: the loop moves requests from the queue to free slots asynchronously, so a burst that fits in the
    // free slots would otherwise find the queue full before the loop had taken anything out of it.
    private int _inFlight;

    public TokenScheduler(ITextGenerator generator, string model, TokenSchedulerOptions options, GenerationMetrics metrics, TimeProvider time, ILogger logger)
    {
        _generator = generator;
        _model = model;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        MaxSequences = Math.Max(1, Math.Min(options.MaxSequences, generator.Info.MaxSequences));
        MaxSequenceTokens = Math.Min(generator.Info.ContextLength, generator.Info.KvCacheCapacity);
        _capacity = MaxSequences + Math.Max(1, options.MaxQueue);
        _queue = Channel.CreateBounded<ScheduledRequest>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Sequences decoded together at most.</summary>
    public int MaxSequences { get; }

    /// <summary>Prompt plus generated tokens one sequence may hold.</summary>
    public int MaxSequenceTokens { get; }

    /// <summary>Requests submitted and not yet finished (waiting or running).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Sequences being decoded.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Applies a new queue length and deadline (to requests submitted from now on). Returns false when that
    /// needs a new scheduler: a different sequence count, or a queue longer than the channel was created for.</summary>
    public bool TryApply(int maxSequences, int maxQueue, TimeSpan deadline)
    {
        var options = Volatile.Read(ref _options);
        if (maxSequences != options.MaxSequences || MaxSequences + Math.Max(1, maxQueue) > _capacity)
        {
            return false;
        }

        Volatile.Write(ref _options, options with { MaxQueue = maxQueue, Deadline = deadline });
        return true;
    }

    /// <summary>Queues a generation; throws at once when the queue is full or the request can never fit.</summary>
    public ChannelReader<GenerationChunk> Submit(IReadOnlyList<int> prompt, GenerationRequest request, CancellationToken cancellationToken)
    {
        if (prompt.Count == 0)
        {
            throw MaasException.InvalidArgument("The prompt is empty.");
        }

        var room = MaxSequenceTokens - prompt.Count;
        if (room < 1)
        {
            throw MaasException.InvalidArgument($"The prompt has {prompt.Count} tokens; the model's context holds {MaxSequenceTokens}.");
        }

        var options = Volatile.Read(ref _options);
        int maxTokens;
        if (request.MaxTokens is { } asked)
        {
            if (asked < 1)
            {
                throw MaasException.InvalidArgument("max_tokens must be at least 1.");
            }

            if (asked > room)
            {
                throw MaasException.InvalidArgument(
                    $"The prompt ({prompt.Count} tokens) plus max_tokens ({asked}) exceeds the model's context of {MaxSequenceTokens} tokens.");
            }

            maxTokens = asked;
        }
        else
        {
            maxTokens = Math.Min(options.DefaultMaxTokens, room);
        }

        var scheduled = new ScheduledRequest(prompt, maxTokens, request, _generator.Info.EndOfGenerationTokens, _generator.GetTokenBytes,
            options.Deadline, _time, cancellationToken);
        scheduled.TraceQueued(_model);
        if (Interlocked.Increment(ref _inFlight) > MaxSequences + Math.Max(1, options.MaxQueue) || !_queue.Writer.TryWrite(scheduled))
        {
            Interlocked.Decrement(ref _inFlight);
            scheduled.Dispose();
            throw _stopping.IsCancellationRequested
                ? MaasException.Unavailable("The model is being unloaded.")
                : new MaasException(MaasErrorKind.TooManyRequests, $"The model's generation queue is full ({options.MaxQueue} waiting); retry later.");
        }

        _metrics.Waiting(_model, 1);
        return scheduled.Output;
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Admit();
                DropAbandoned();
                if (_active.Count == 0)
                {
                    if (_head is null && !await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                await StepAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            FailAll(MaasException.Unavailable("The model was unloaded."));
        }
    }

    private void Admit()
    {
        while (_active.Count < MaxSequences)
        {
            if (_head is null)
            {
                if (!_queue.Reader.TryRead(out var next))
                {
                    return;
                }

                _head = next;
            }

            var head = _head;
            if (head.IsAbandoned)
            {
                _head = null;
                _metrics.Waiting(_model, -1);
                head.Abandon();
                Finished(head);
                continue;
            }

            if (_reserved + head.Reservation > _generator.Info.KvCacheCapacity)
            {
                return;
            }

            _head = null;
            _metrics.Waiting(_model, -1);
            try
            {
                head.Sequence = _generator.StartSequence(head.Prompt, head.Request.Sampling);
                head.CachedTokens = head.Sequence.CachedTokens;
                _metrics.SequenceStarted(_model, head.Prompt.Count, head.CachedTokens);
                head.TraceStarted();
            }
            catch (Exception ex)
            {
                LogStartFailed(_logger, _model, ex);
                head.Fail(ex as MaasException ?? new MaasException(MaasErrorKind.Internal, "The engine could not start the sequence.", ex));
                Finished(head);
                continue;
            }

            _active.Add(head);
            Volatile.Write(ref _running, _active.Count);
            _reserved += head.Reservation;
            _metrics.Running(_model, 1);
            _metrics.KvCells(_model, head.Reservation);
        }

        CountEvictions();
    }

    private void CountEvictions()
    {
        var evictions = _generator.PrefixCacheEvictions;
        if (evictions > _evictions)
        {
            _metrics.PrefixEvicted(_model, evictions - _evictions);
            _evictions = evictions;
        }
    }

    private void DropAbandoned()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].IsAbandoned)
            {
                _active[i].Abandon();
                Remove(i);
            }
        }
    }

    private async Task StepAsync(CancellationToken stopping)
    {
        var sequences = new IGenerationSequence[_active.Count];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = _active[i].Sequence!;
        }

        IReadOnlyList<SampledToken> tokens;
        try
        {
            tokens = await _generator.StepAsync(sequences, stopping).ConfigureAwait(false);
            CountEvictions();
            if (tokens.Count != sequences.Length)
            {
                throw new InvalidOperationException($"The engine returned {tokens.Count} tokens for {sequences.Length} sequences.");
            }
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            LogStepFailed(_logger, _model, sequences.Length, ex);
            var error = ex as MaasException ?? new MaasException(MaasErrorKind.Internal, "The engine failed while generating.", ex);
            for (var i = _active.Count - 1; i >= 0; i--)
            {
                _active[i].Fail(error);
                Remove(i);
            }

            return;
        }

        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].Accept(tokens[i], _time, _metrics, _model))
            {
                Remove(i);
            }
        }
    }

    private void Remove(int index)
    {
        var request = _active[index];
        _active.RemoveAt(index);
        Volatile.Write(ref _running, _active.Count);
        _reserved -= request.Reservation;
        _metrics.Running(_model, -1);
        _metrics.KvCells(_model, -request.Reservation);
        Finished(request);
    }

    private void Finished(ScheduledRequest request)
    {
        request.Dispose();
        Interlocked.Decrement(ref _inFlight);
    }

    private void FailAll(Exception error)
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            _active[i].Fail(error);
            Remove(i);
        }

        if (_head is { } head)
        {
            _head = null;
            _metrics.Waiting(_model, -1);
            head.Fail(error);
            Finished(head);
        }

        while (_queue.Reader.TryRead(out var queued))
        {
            _metrics.Waiting(_model, -1);
            queued.Fail(error);
            Finished(queued);
        }
    }

    /// <summary>Stops the loop; requests still queued or running end with 503.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        finally
        {
            _stopping.Dispose();
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "{Model}: a generation step of {Sequences} sequences failed")]
    private static partial void LogStepFailed(ILogger logger, string model, int sequences, Exception exception);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "{Model}: starting a sequence failed")]
    private static partial void LogStartFailed(ILogger logger, string model, Exception exception);
}
