namespace Maas.Formats.Gguf;

/// <summary>Shape and contents of a random low-rank adapter written by <see cref="LoraGguf"/>.</summary>
/// <remarks>The defaults change a <see cref="TinyLlamaGguf"/> model's output noticeably (the update is about as large as
/// the base weights), so a test can tell adapted output from the base's.</remarks>
public sealed record LoraAdapterOptions
{
    public string Name { get; init; } = "tiny-lora";

    /// <summary>The rank r: A is r × in, B is out × r.</summary>
    public int Rank { get; init; } = 4;

    /// <summary><c>adapter.lora.alpha</c>; llama.cpp scales B·A by alpha / rank.</summary>
    public float Alpha { get; init; } = 8f;

    /// <summary>Entries of A and B are uniform in ±this.</summary>
    public float WeightScale { get; init; } = 0.15f;

    public int Seed { get; init; } = 7;

    /// <summary>Base tensor names (per block, without the <c>blk.N.</c> prefix) that get an adapter.</summary>
    public IReadOnlyList<string> Targets { get; init; } =
        ["attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"];
}
