using Maas.Bench;

// Server vs in-process throughput and latency for the sample embedding model; see docs/benchmarks.md.
var options = BenchOptions.Parse(args);
return await EmbeddingBenchmark.RunAsync(options);
