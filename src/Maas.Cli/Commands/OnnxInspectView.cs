using Maas.Cli.Output;
using Maas.Core.Tensors;
using Maas.Formats.Onnx;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary>Renders <c>maas inspect</c> for an ONNX file: header facts, then the graph's inputs and outputs.</summary>
internal static class OnnxInspectView
{
    public static void Write(IAnsiConsole console, string path, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(info);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, string? value) =>
            grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(string.IsNullOrEmpty(value) ? "-" : value));

        Row("File", $"{path} ({ByteSize.Format(new FileInfo(path).Length)})");
        Row("Format", $"ONNX, IR version {info.IrVersion}");
        Row("Opsets", string.Join(", ", info.OpsetImports.Select(o => $"{o.Key} {o.Value}")));
        Row("Producer", string.IsNullOrEmpty(info.ProducerVersion) ? info.ProducerName : $"{info.ProducerName} {info.ProducerVersion}");
        Row("Graph", $"{info.GraphName ?? "-"}: {info.NodeCount} nodes, {info.InitializerCount} initializers");
        console.Write(grid);

        console.WriteLine();
        var table = new Table().Border(TableBorder.Simple).AddColumn("Kind").AddColumn("Name").AddColumn("Type").AddColumn("Shape");
        AddRows(table, "input", info.Inputs);
        AddRows(table, "output", info.Outputs);
        console.Write(table);
    }

    private static void AddRows(Table table, string kind, IReadOnlyList<TensorSpec> specs)
    {
        foreach (var spec in specs)
        {
            table.AddRow(new Text(kind), new Text(spec.Name), new Text(spec.DataType.ToString()), new Text(spec.ShapeText));
        }
    }
}
