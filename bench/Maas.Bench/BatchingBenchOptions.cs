using System.Globalization;

namespace Maas.Bench;

/// <summary>Settings of the <c>batching</c> mode: rounds, seconds per scenario, and the concurrencies to compare.</summary>
internal sealed record BatchingBenchOptions(int Rounds, TimeSpan Duration, IReadOnlyList<int> Concurrency, int BatchRows)
{
    public static BatchingBenchOptions Parse(string[] args)
    {
        var rounds = 3;
        var seconds = 3.0;
        IReadOnlyList<int> concurrency = [1, 4, 8];
        var batch = 8;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList(); break;
                case "--batch": batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; use batching --rounds N --seconds S --concurrency 1,4,8 --batch 8.");
            }
        }

        return new BatchingBenchOptions(rounds, TimeSpan.FromSeconds(seconds), concurrency, batch);
    }
}
