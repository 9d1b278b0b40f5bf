using System.Globalization;
using Maas.Cli.Output;
using Maas.Formats.Gguf;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary>Renders <c>maas inspect</c> for a GGUF file: model facts, metadata, chat template, tensor table.</summary>
internal static class GgufInspectView
{
    public static void Write(IAnsiConsole console, string path, GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(file);
        var facts = GgufModelFacts.From(file);

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, object? value)
        {
            var text = value switch
            {
                null => "-",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "-",
            };
            grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(text));
        }

        Row("File", $"{path} ({ByteSize.Format(file.FileLength)})");
        Row("Format", $"GGUF v{file.Version}, alignment {file.Alignment}, data at byte {file.DataOffset}");
        Row("Architecture", facts.Architecture);
        Row("Name", facts.Name);
        Row("Parameters", $"{InspectText.Count(facts.ParameterCount)} ({facts.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)})");
        Row("Quantization", facts.Quantization);
        Row("Context length", facts.ContextLength);
        Row("Embedding length", facts.EmbeddingLength);
        Row("Blocks", facts.BlockCount);
        Row("Heads", facts.HeadCount);
        Row("Tokenizer", facts.TokenizerModel is null ? null : $"{facts.TokenizerModel}, {facts.VocabularySize?.ToString(CultureInfo.InvariantCulture) ?? "?"} tokens");
        Row("Special tokens", facts.SpecialTokens.Count == 0
            ? null
            : string.Join(", ", facts.SpecialTokens.Select(t => $"{t.Role} {t.Id}" + (t.Text is null ? string.Empty : " " + InspectText.Quote(t.Text, 24)))));
        Row("Task", facts.IsEmbeddingModel ? "embeddings" : "text-generation");
        console.Write(grid);

        console.WriteLine();
        console.Write(new Rule($"Metadata ({file.Metadata.Count})").LeftJustified());
        var metadata = new Table().Border(TableBorder.Simple).AddColumn("Key").AddColumn("Type").AddColumn("Value");
        foreach (var (key, value) in file.Metadata)
        {
            metadata.AddRow(new Text(key), new Text(InspectText.Type(value)), new Text(InspectText.Value(value)));
        }

        console.Write(metadata);

        if (facts.ChatTemplate is { } template)
        {
            console.Write(new Rule("Chat template").LeftJustified());
            console.Write(new Text(template));
            console.WriteLine();
        }

        console.WriteLine();
        var dataBytes = file.Tensors.Sum(t => t.ByteSize);
        console.Write(new Rule($"Tensors ({file.Tensors.Count}, {ByteSize.Format(dataBytes)})").LeftJustified());
        var tensors = new Table().Border(TableBorder.Simple)
            .AddColumn("Name").AddColumn("Type").AddColumn("Shape").AddColumn(new TableColumn("Size").RightAligned());
        foreach (var tensor in file.Tensors)
        {
            tensors.AddRow(
                new Text(tensor.Name),
                new Text(tensor.Type.ToString()),
                new Text("[" + string.Join(", ", tensor.Dimensions) + "]"),
                new Text(ByteSize.Format(tensor.ByteSize)));
        }

        console.Write(tensors);
    }
}
