using System.Globalization;
using Maas.Formats.Gguf;

namespace Maas.Bench;

/// <summary>Command-line settings of the real-size benchmark (<c>llm-1b</c> mode).</summary>
/// <param name="Types">Weight types to measure, each its own model file (Q4_0, Q8_0).</param>
/// <param name="Folder">Where the generated models are kept between runs (never in the repository).</param>
/// <param name="Rounds">Interleaved rounds; figures are medians over them.</param>
/// <param name="MaxTokens">Tokens each decode request generates (greedy).</param>
/// <param name="Threads">llama.cpp threads, for the server and the baseline alike.</param>
/// <param name="PromptLengths">Prompt lengths, in tokens, whose time to first token is measured.</param>
/// <param name="MakeOnly">Write the model files and stop.</param>
internal sealed record BigLlamaOptions(
    IReadOnlyList<GgmlType> Types, string Folder, int Rounds, int MaxTokens, int Threads, IReadOnlyList<int> PromptLengths, bool MakeOnly)
{
    public const string Usage = "llm-1b [--types q4_0,q8_0] [--folder DIR] [--rounds N] [--tokens T] [--threads T] [--prompts 512,2048] [--make-only]";

    public static BigLlamaOptions Parse(string[] args)
    {
        var options = new BigLlamaOptions([GgmlType.Q4_0, GgmlType.Q8_0], Path.Combine(Path.GetTempPath(), "maas-llm-1b"), 3, 64, 2, [512, 2048], false);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--make-only")
            {
                options = options with { MakeOnly = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {args[i]} has no value; use {Usage}.");
            }

            var value = args[++i];
            options = args[i - 1] switch
            {
                "--types" => options with { Types = value.Split(',').Select(ParseType).ToArray() },
                "--folder" => options with { Folder = value },
                "--rounds" => options with { Rounds = Int(value) },
                "--tokens" => options with { MaxTokens = Int(value) },
                "--threads" => options with { Threads = Int(value) },
                "--prompts" => options with { PromptLengths = value.Split(',').Select(Int).ToArray() },
                _ => throw new ArgumentException($"Unknown option {args[i - 1]}; use {Usage}."),
            };
        }

        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static GgmlType ParseType(string value) => value.ToUpperInvariant() switch
    {
        "Q4_0" => GgmlType.Q4_0,
        "Q8_0" => GgmlType.Q8_0,
        _ => throw new ArgumentException($"Type {value} is not one the generator writes; use q4_0 or q8_0."),
    };
}
