using Maas.Core.Tensors;

namespace Maas.Optimization.Evaluation;

/// <summary>The inputs a quantize job calibrates with and compares parent and result on.</summary>
/// <param name="Kind">How the model is fed.</param>
/// <param name="Source"><c>version</c> (stored with the parent), <c>job</c> (given with the job) or <c>generated</c>.</param>
/// <param name="Texts">One text per sample for text models (sentences, prompts); empty for tensor models.</param>
/// <param name="Feeds">Model-level input tensors per sample (batch 1), after pre-processing; empty for models that
/// tokenize inside the engine (GGUF).</param>
internal sealed record EvaluationSet(
    EvaluationKind Kind,
    string Source,
    IReadOnlyList<string> Texts,
    IReadOnlyList<IReadOnlyList<Tensor>> Feeds)
{
    public const string FromVersion = "version";
    public const string FromJob = "job";
    public const string Generated = "generated";

    public int Count => Kind == EvaluationKind.Tensor ? Feeds.Count : Texts.Count;
}
