namespace Maas.Cli.Bench;

/// <summary>Sends one prepared request variant over some protocol and records its latency or failure.</summary>
internal interface IInferSender
{
    /// <summary>How many prepared requests there are; the load cycles through them.</summary>
    int Variants { get; }

    Task SendAsync(int variant, LevelRecorder recorder, CancellationToken cancellationToken);
}
