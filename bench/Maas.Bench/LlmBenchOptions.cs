using System.Globalization;

namespace Maas.Bench;

/// <summary>Command-line settings of the text-generation benchmark (<c>llm</c> mode).</summary>
/// <param name="Rounds">Interleaved rounds; every figure reported is a median over them.</param>
/// <param name="MaxTokens">Tokens each request generates (greedy).</param>
/// <param name="Requests">Requests per single-stream measurement in one round.</param>
/// <param name="Streams">Concurrent streams of the concurrent measurement.</param>
/// <param name="Threads">llama.cpp threads, for the server (<c>Maas:Serving:Defaults:IntraOpThreads</c>) and the baseline alike.</param>
/// <param name="Layers">Transformer blocks of the generated model (8 gives ~25M parameters).</param>
internal sealed record LlmBenchOptions(int Rounds, int MaxTokens, int Requests, int Streams, int Threads, int Layers)
{
    public static LlmBenchOptions Parse(string[] args)
    {
        var rounds = 5;
        var tokens = 128;
        var requests = 2;
        var streams = 4;
        var threads = 1;
        var layers = 8;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--rounds": rounds = value; break;
                case "--tokens": tokens = value; break;
                case "--requests": requests = value; break;
                case "--streams": streams = value; break;
                case "--threads": threads = value; break;
                case "--layers": layers = value; break;
                default: throw new ArgumentException($"Unknown option {args[i]}; use llm --rounds N --tokens T --requests R --streams S --threads T --layers L.");
            }
        }

        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Option {args[^1]} has no value.");
        }

        return new LlmBenchOptions(rounds, tokens, requests, streams, threads, layers);
    }
}
