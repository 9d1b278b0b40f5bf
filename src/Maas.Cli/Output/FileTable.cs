using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>The files of a version as a table: name, human-readable size, short digest.</summary>
internal static class FileTable
{
    public static Table Create(IReadOnlyList<ModelFileInfo> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("File")
            .AddColumn(new TableColumn("Size").RightAligned())
            .AddColumn("SHA-256");
        foreach (var file in files)
        {
            table.AddRow(new Text(file.Name), new Text(ByteSize.Format(file.Size)), new Text(Digest.Short(file.Sha256)));
        }

        return table;
    }
}
