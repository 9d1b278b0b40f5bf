using System.Threading.Channels;

namespace Maas.Jobs;

/// <summary>A first-in, first-out queue of job ids with a bound on waiting jobs, drained by a fixed number of workers.</summary>
internal sealed class JobLane
{
    private readonly Channel<string> _queue;
    private readonly int _capacity;
    private int _waiting;

    public JobLane(string name, int concurrency, int capacity)
    {
        Name = name;
        Concurrency = concurrency;
        _capacity = capacity;
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = concurrency == 1,
        });
    }

    public string Name { get; }

    public int Concurrency { get; }

    public ChannelReader<string> Reader => _queue.Reader;

    /// <summary>Takes a place in the queue; false when it is full. A place taken is given back by <see cref="Dequeued"/>
    /// once a worker takes the job, or by <see cref="Release"/> when the submission fails before it is queued.</summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _waiting) <= _capacity)
        {
            return true;
        }

        Interlocked.Decrement(ref _waiting);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _waiting);

    /// <summary>Queues a job whose place was reserved (never waits: the reservation guarantees room).</summary>
    public void Enqueue(string id)
    {
        if (!_queue.Writer.TryWrite(id))
        {
            throw new InvalidOperationException($"The {Name} job queue refused a reserved job.");
        }
    }

    public void Dequeued() => Interlocked.Decrement(ref _waiting);
}
