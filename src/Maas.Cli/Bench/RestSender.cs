namespace Maas.Cli.Bench;

/// <summary>REST infer calls: JSON bodies, or binary-extension bodies with their JSON header lengths.</summary>
internal sealed class RestSender(BenchClient client, Uri inferUri, IReadOnlyList<byte[]> bodies, int rows, IReadOnlyList<int>? headerLengths = null)
    : IInferSender
{
    public int Variants => bodies.Count;

    public Task SendAsync(int variant, LevelRecorder recorder, CancellationToken cancellationToken) =>
        client.InferAsync(inferUri, bodies[variant], rows, recorder, cancellationToken, headerLengths?[variant]);
}
