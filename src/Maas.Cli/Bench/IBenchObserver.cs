namespace Maas.Cli.Bench;

/// <summary>Told when each level (and the warm-up) starts and ends, to show progress.</summary>
internal interface IBenchObserver
{
    /// <summary>A level started; <paramref name="recorder"/> fills as answers arrive.</summary>
    void Started(string label, LevelRecorder recorder, TimeSpan? duration, int? requests);

    /// <summary>The level started last has finished.</summary>
    void Finished(string label, LevelResult? result);
}
