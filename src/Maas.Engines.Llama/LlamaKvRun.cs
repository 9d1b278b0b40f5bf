namespace Maas.Engines.Llama;

/// <summary>The first <paramref name="Length"/> cells of one block: the cells one sequence id decoded itself,
/// identified by the object that stands for them.</summary>
internal readonly record struct LlamaKvRun(object Block, int Length);
