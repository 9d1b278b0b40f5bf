using Maas.Cli.Client;

namespace Maas.Cli.Output;

/// <summary>One-line descriptions of a manifest's signature and processing steps.</summary>
internal static class SignatureText
{
    public static string Tensors(IReadOnlyList<TensorInfo>? specs) =>
        specs is null || specs.Count == 0
            ? "-"
            : string.Join(", ", specs.Select(s => $"{s.Name} {s.DataType} [{string.Join(", ", s.Shape ?? [])}]"));

    public static string Steps(IReadOnlyList<ProcessingStepInfo>? steps) =>
        steps is null || steps.Count == 0 ? "-" : string.Join(" → ", steps.Select(Step));

    private static string Step(ProcessingStepInfo step) =>
        step.Parameters is null || step.Parameters.Count == 0
            ? step.Name
            : $"{step.Name}({string.Join(", ", step.Parameters.Select(p => $"{p.Key}={p.Value}"))})";
}
