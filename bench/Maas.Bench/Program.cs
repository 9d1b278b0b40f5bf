using Maas.Bench;

// `llm`: text generation through the server vs llama.cpp in-process (docs/benchmarks-llm.md).
// `batching`: in-process thread settings and batches vs servers with batching on and off (docs/benchmarks.md).
// `quantize`: all-MiniLM-L6-v2 fp32 vs its dynamic-int8 rewrite through ONNX Runtime (docs/benchmarks.md, issue 9).
// `inprocess`: the in-process side of `batching`, one measurement per stdin command (bench/serving/measure.py).
// `static-int8`: ResNet18 quantized with the static-int8 pass vs fp32 (size, throughput, cosine; docs/benchmarks.md).
// `artifacts`: storing and loading a blob, plain vs AES-256-GCM at rest (docs/benchmarks.md, issue 11).
// `prefix`: TTFT of a request sharing a 2,000-token system prompt with the one before, prefix cache on vs off (docs/benchmarks-llm.md).
// `sampler`: ns per sampling step at 32k / 152k vocabularies, old full-sort top-p vs the current sampler (docs/benchmarks-llm.md).
// `lora`: two LoRA adapters over one base vs the two merged models: memory and equal outputs (docs/benchmarks-llm.md).
// `llm-1b`: the ~1.3B generated llama (Q4_0, Q8_0): decode server vs in-process, TTFT, bandwidth limit, sampler share (docs/benchmarks-llm.md).
// `grammar`: structured output (strict nested schema, temperature 1) on a >=32k-vocabulary model: validity and mask share of step time.
// `engine-ceiling`: bare ONNX Runtime, single texts vs batches of 8 (padded and not): what batching can gain on this CPU.
// No mode: server vs in-process throughput and latency for the sample embedding model (docs/benchmarks.md).
if (args.Length > 0 && args[0] == "llm")
{
    return await LlmBenchmark.RunAsync(LlmBenchOptions.Parse(args[1..]));
}

if (args.Length > 0 && args[0] == "prefix")
{
    return await PrefixCacheBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "llm-1b")
{
    return await BigLlamaBenchmark.RunAsync(BigLlamaOptions.Parse(args[1..]));
}

if (args.Length > 0 && args[0] == "batching")
{
    return await BatchingBenchmark.RunAsync(BatchingBenchOptions.Parse(args[1..]));
}

if (args.Length > 0 && args[0] == "quantize")
{
    return QuantizeBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "static-int8")
{
    return await StaticInt8Benchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "artifacts")
{
    return await ArtifactsBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "sampler")
{
    return SamplerBenchmark.Run();
}

if (args.Length > 0 && args[0] == "grammar")
{
    return await GrammarBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "inprocess")
{
    return await InProcessBenchmark.RunAsync();
}

if (args.Length > 0 && args[0] == "engine-ceiling")
{
    return EngineCeilingBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "lora")
{
    return await LoraBenchmark.RunAsync(args[1..]);
}

return await EmbeddingBenchmark.RunAsync(BenchOptions.Parse(args));
