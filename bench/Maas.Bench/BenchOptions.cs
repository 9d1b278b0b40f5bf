using System.Globalization;

namespace Maas.Bench;

/// <summary>Command-line settings of the benchmark.</summary>
internal sealed record BenchOptions(int Rounds, TimeSpan Duration, IReadOnlyList<int> Concurrency, int IntraOpThreads, bool InlineSocketScheduling)
{
    public static BenchOptions Parse(string[] args)
    {
        var rounds = 5;
        var seconds = 3.0;
        IReadOnlyList<int> concurrency = [1, 4];
        var threads = 1;
        var inline = true;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList(); break;
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--inline": inline = bool.Parse(args[i + 1]); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; use --rounds N --seconds S --concurrency 1,4 --threads T --inline true|false.");
            }
        }

        return new BenchOptions(rounds, TimeSpan.FromSeconds(seconds), concurrency, threads, inline);
    }
}
