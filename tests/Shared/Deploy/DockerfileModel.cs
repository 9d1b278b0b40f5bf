using System.Text.Json;

namespace Maas.Tests.Shared.Deploy;

/// <summary>The instructions of a Dockerfile, grouped by build stage (enough of the syntax for this repository's:
/// comments, line continuations, <c>FROM image AS name</c>, exec-form JSON arrays).</summary>
internal sealed class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static DockerfileModel Parse(string text)
    {
        var stages = new List<Stage>();
        var logical = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (logical.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                logical += line[..^1] + " ";
                continue;
            }

            logical += line;
            var trimmed = logical.Trim();
            logical = string.Empty;
            var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : trimmed[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var name = parts.Length >= 3 && parts[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[^1] : null;
                stages.Add(new Stage(parts.First(p => !p.StartsWith("--", StringComparison.Ordinal)), name, []));
                continue;
            }

            if (stages.Count == 0)
            {
                throw new FormatException($"{keyword} before the first FROM.");
            }

            stages[^1].Instructions.Add(new Instruction(keyword, arguments));
        }

        return new DockerfileModel(stages);
    }

    /// <summary>One build stage: its base image, its name and its instructions in order.</summary>
    internal sealed record Stage(string Image, string? Name, List<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

        public Instruction? Last(string keyword) => Instructions.LastOrDefault(i => i.Keyword == keyword);
    }

    internal sealed record Instruction(string Keyword, string Arguments)
    {
        /// <summary>The exec form's JSON array (<c>["dotnet", "maas.dll"]</c>).</summary>
        public string[] ExecForm() => JsonSerializer.Deserialize<string[]>(Arguments)
            ?? throw new FormatException($"{Keyword} is not in exec form: {Arguments}");

        /// <summary>COPY's sources and destination, without flags such as <c>--from=build</c>.</summary>
        public (string[] Sources, string Destination, string? From) CopyParts()
        {
            var parts = Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var from = parts.FirstOrDefault(p => p.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            var paths = parts.Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
            return (paths[..^1], paths[^1], from);
        }
    }
}
