using System.Diagnostics;
using Maas.Core.Engines;
using Maas.Engines.Llama;

namespace Maas.Bench;

/// <summary>
/// `sampler`: nanoseconds per sampling step at 32k and 152k vocabularies, the old full-sort top-p against the current
/// sampler (top-p by histogram, top-k by heap, min-p), rounds interleaved, medians (docs/benchmarks-llm.md).
/// </summary>
internal static class SamplerBenchmark
{
    private const int Rounds = 7;
    private const int StepsPerRound = 200;
    private const int LogitSets = 16;

    public static int Run()
    {
        Console.WriteLine("vocab  | logits | setting                        | ns/step (median of rounds)");
        foreach (var vocabulary in new[] { 32_000, 151_936 })
        {
            foreach (var peaked in new[] { false, true })
            {
                var logits = Enumerable.Range(0, LogitSets).Select(seed => Logits(vocabulary, seed, peaked)).ToArray();
                var values = new float[vocabulary];
                var keys = new float[vocabulary];
                var order = new int[vocabulary];
                var scratch = new SamplerScratch(vocabulary);
                var legacy = new LegacyFullSortSampler(0.8f, 0.95f, 1);
                var cases = new (string Name, Func<int, int> Step)[]
                {
                    ("old: top_p 0.95 (full sort)", i => legacy.Sample(logits[i % LogitSets], values, keys, order)),
                    ("new: top_p 0.95", Sampler(new SamplingOptions { Temperature = 0.8f, TopP = 0.95f, Seed = 1 }, logits, scratch)),
                    ("new: top_k 40, top_p 0.95", Sampler(new SamplingOptions { Temperature = 0.8f, TopK = 40, TopP = 0.95f, Seed = 1 }, logits, scratch)),
                    ("new: min_p 0.05", Sampler(new SamplingOptions { Temperature = 0.8f, MinP = 0.05f, Seed = 1 }, logits, scratch)),
                    ("new: temperature only", Sampler(new SamplingOptions { Temperature = 0.8f, Seed = 1 }, logits, scratch)),
                    ("new: greedy", Sampler(new SamplingOptions { Temperature = 0f }, logits, scratch)),
                };
                var samples = cases.Select(_ => new List<double>()).ToArray();
                foreach (var (_, step) in cases)
                {
                    step(0);
                }

                for (var round = 0; round < Rounds; round++)
                {
                    for (var c = 0; c < cases.Length; c++)
                    {
                        var watch = Stopwatch.StartNew();
                        var sink = 0;
                        for (var i = 0; i < StepsPerRound; i++)
                        {
                            sink ^= cases[c].Step(i);
                        }

                        samples[c].Add(watch.Elapsed.TotalNanoseconds / StepsPerRound + (sink & 0));
                    }
                }

                for (var c = 0; c < cases.Length; c++)
                {
                    var median = samples[c].Order().ElementAt(Rounds / 2);
                    Console.WriteLine($"{vocabulary,6} | {(peaked ? "peaked" : "flat"),6} | {cases[c].Name,-30} | {median,12:N0}");
                }
            }
        }

        return 0;
    }

    private static Func<int, int> Sampler(SamplingOptions options, float[][] logits, SamplerScratch scratch)
    {
        var sampler = new TokenSampler(options);
        return i => sampler.Sample(logits[i % LogitSets], scratch).TokenId;
    }

    // flat: roughly normal logits, sd ~3.5 (random weights); peaked: the same plus a few dozen tokens 8-15 above (a trained model).
    private static float[] Logits(int vocabulary, int seed, bool peaked)
    {
        var random = new Random(seed);
        var logits = new float[vocabulary];
        for (var i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)((random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 6);
        }

        if (peaked)
        {
            for (var i = 0; i < 30; i++)
            {
                logits[random.Next(vocabulary)] += 8 + (7 * (float)random.NextDouble());
            }
        }

        return logits;
    }
}
