using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Maas.Cli.Bench;

/// <summary>The request bodies a bench sends, serialized once before the clock starts so the client stays cheap.</summary>
/// <param name="Bodies">Open Inference Protocol v2 infer bodies, sent in turn.</param>
/// <param name="RowsPerRequest">Rows each body carries (its first input's first dimension).</param>
/// <param name="Description">What the bodies are, for the report.</param>
internal sealed record BenchInput(IReadOnlyList<byte[]> Bodies, int RowsPerRequest, string Description)
{
    /// <summary>How many different bodies generated input cycles through.</summary>
    public const int GeneratedVariants = 32;

    private static readonly string[] Words =
    [
        "the", "model", "server", "answers", "every", "request", "quickly", "while", "a", "small", "batch", "waits",
        "for", "its", "turn", "on", "busy", "cores", "latency", "matters", "more", "than", "throughput", "when",
        "people", "read", "results", "search", "finds", "similar", "sentences", "in", "large", "collections",
        "of", "text", "written", "by", "many", "authors", "over", "years", "and", "languages",
    ];

    /// <summary>Reads v2 infer bodies from a file: one JSON object, or JSON Lines (one body per line, sent in turn);
    /// each is sent as it is. Rows per request are taken from the first input's first dimension of the first body.</summary>
    public static BenchInput FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"input file not found: {path}");
        }

        var bytes = File.ReadAllBytes(path);
        var bodies = new List<byte[]>();
        var rows = 0;
        try
        {
            rows = Rows(path, bytes);
            bodies.Add(bytes);
        }
        catch (JsonException) when (File.ReadAllLines(path).Count(l => !string.IsNullOrWhiteSpace(l)) > 1)
        {
            var number = 0;
            foreach (var line in File.ReadAllLines(path))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var body = System.Text.Encoding.UTF8.GetBytes(line);
                try
                {
                    var lineRows = Rows($"{path}:{number}", body);
                    rows = bodies.Count == 0 ? lineRows : rows;
                }
                catch (JsonException ex)
                {
                    throw new CliException($"{path}:{number} is not valid JSON: {ex.Message}", ex);
                }

                bodies.Add(body);
            }
        }
        catch (JsonException ex)
        {
            throw new CliException($"{path} is not valid JSON: {ex.Message}", ex);
        }

        var description = bodies.Count == 1 ? $"file {Path.GetFileName(path)}" : $"file {Path.GetFileName(path)} ({bodies.Count} bodies in turn)";
        return new BenchInput(bodies, rows, description);
    }

    private static int Rows(string where, byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("inputs", out var inputs)
            || inputs.ValueKind != JsonValueKind.Array
            || inputs.GetArrayLength() == 0)
        {
            throw new CliException($"{where} is not an inference request: it needs an \"inputs\" array (Open Inference Protocol v2).");
        }

        return inputs[0].TryGetProperty("shape", out var shape) && shape.ValueKind == JsonValueKind.Array && shape.GetArrayLength() > 0
            ? Math.Max(1, shape[0].GetInt32())
            : 1;
    }

    /// <summary>Generates bodies from a model's inputs: sentences of varying length for BYTES inputs, random values
    /// for numeric ones; the first variable dimension carries <paramref name="batch"/> rows, other variable ones 1.</summary>
    public static BenchInput Generate(IReadOnlyList<InputTensor> inputs, int batch, int seed)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new CliException("the model declares no inputs; give a request body with --input.");
        }

        var random = new Random(seed);
        var bodies = new List<byte[]>(GeneratedVariants);
        for (var i = 0; i < GeneratedVariants; i++)
        {
            bodies.Add(Body(inputs, batch, random));
        }

        var shapes = string.Join(", ", inputs.Select(t => $"{t.Name} {t.Datatype}[{string.Join(',', Shape(t, batch))}]"));
        return new BenchInput(bodies, (int)Shape(inputs[0], batch).FirstOrDefault(1), $"generated ({shapes})");
    }

    /// <summary>The concrete shape sent for an input: the leading -1 becomes the batch, later ones 1.</summary>
    internal static long[] Shape(InputTensor input, int batch)
    {
        var shape = input.Shape.ToArray();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                shape[d] = d == 0 ? batch : 1;
            }
        }

        return shape;
    }

    private static byte[] Body(IReadOnlyList<InputTensor> inputs, int batch, Random random)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                var shape = Shape(input, batch);
                var count = shape.Aggregate(1L, (a, b) => a * b);
                if (count > 10_000_000)
                {
                    throw new CliException($"input {input.Name} would have {count} elements; give a smaller --batch or a body with --input.");
                }

                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var d in shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteString("datatype", input.Datatype);
                writer.WriteStartArray("data");
                for (var e = 0; e < count; e++)
                {
                    WriteValue(writer, input.Datatype, random);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, string datatype, Random random)
    {
        switch (datatype.ToUpperInvariant())
        {
            case "BYTES":
                writer.WriteStringValue(Sentence(random));
                break;
            case "BOOL":
                writer.WriteBooleanValue(random.Next(2) == 1);
                break;
            case "FP16" or "FP32" or "FP64" or "BF16":
                writer.WriteNumberValue(Math.Round(random.NextDouble(), 4));
                break;
            case "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64":
                // Small values: safe as token ids, indices and counts alike.
                writer.WriteNumberValue(random.Next(0, 100));
                break;
            default:
                throw new CliException($"cannot generate values of datatype {datatype}; give a request body with --input.");
        }
    }

    private static string Sentence(Random random)
    {
        var words = random.Next(4, 33);
        var text = new StringBuilder();
        for (var w = 0; w < words; w++)
        {
            text.Append(w == 0 ? string.Empty : " ").Append(Words[random.Next(Words.Length)]);
        }

        text[0] = char.ToUpper(text[0], CultureInfo.InvariantCulture);
        return text.Append('.').ToString();
    }
}
