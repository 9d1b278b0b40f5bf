using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Prints a predict response's <c>output</c>: JSON as is, or a preview of large numeric tensors.</summary>
/// <remarks>
/// Written straight to the console's writer rather than as Spectre text, which would wrap long lines at the
/// terminal width and break the JSON for anyone piping it into <c>jq</c>.
/// </remarks>
internal static class PredictionView
{
    /// <summary>Numeric outputs with more values than this are previewed unless <c>--full</c> is given.</summary>
    public const int PreviewThreshold = 16;

    private const int PreviewValues = 5;
    private const int PreviewRows = 3;

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,

        // Labels and generated text should print as written, not as \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(IAnsiConsole console, JsonElement response, bool full)
    {
        ArgumentNullException.ThrowIfNull(console);
        var output = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("output", out var value) ? value : response;
        var writer = console.Profile.Out.Writer;
        if (!full && NumericTensor.TryGetShape(output, out var shape) && shape.Aggregate(1L, (n, d) => n * d) > PreviewThreshold)
        {
            WritePreview(writer, output, shape);
            return;
        }

        writer.WriteLine(JsonSerializer.Serialize(output, Indented));
    }

    private static void WritePreview(TextWriter writer, JsonElement output, IReadOnlyList<int> shape)
    {
        writer.WriteLine($"shape [{string.Join(", ", shape)}]");
        var rows = NumericTensor.Rows(output).ToList();
        foreach (var row in rows.Take(PreviewRows))
        {
            var length = row.GetArrayLength();
            var values = row.EnumerateArray().Take(PreviewValues).Select(v => v.GetDouble().ToString("0.0000", CultureInfo.InvariantCulture));
            var more = length > PreviewValues ? ", …" : string.Empty;
            writer.WriteLine($"[{string.Join(", ", values)}{more}] ({length} values)");
        }

        if (rows.Count > PreviewRows)
        {
            writer.WriteLine($"… {rows.Count - PreviewRows} more rows");
        }

        writer.WriteLine("(use --full to print every value)");
    }
}
