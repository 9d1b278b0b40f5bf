using System.Buffers.Binary;
using System.Globalization;

namespace Maas.Formats.Gguf;

/// <summary>Writes, checks and merges GGUF LoRA adapters in llama.cpp's layout.</summary>
/// <remarks>
/// <para>llama.cpp's layout (<c>llama-adapter.cpp</c>): <c>general.type = "adapter"</c>, <c>adapter.type = "lora"</c>,
/// <c>adapter.lora.alpha</c> (f32), <c>general.architecture</c> equal to the base's, and per adapted base tensor W
/// (ggml shape [in, out]) two tensors <c>W.lora_a</c> of shape [in, r] and <c>W.lora_b</c> of shape [r, out]. The
/// graph computes W·x + (alpha / r)·B·(A·x) for every linear layer it builds with <c>build_lora_mm</c>.</para>
/// <para><see cref="Merge"/> writes the same update into the weights: W + scale·(alpha / r)·B·A, as a normal GGUF model
/// with the base's metadata, so a merged model and base+adapter should produce the same greedy output.</para>
/// </remarks>
public static class LoraGguf
{
    public const string AdapterFileType = "adapter";
    public const string LoraAdapterType = "lora";
    public const string AdapterTypeKey = "adapter.type";
    public const string AlphaKey = "adapter.lora.alpha";
    public const string SuffixA = ".lora_a";
    public const string SuffixB = ".lora_b";

    /// <summary>Whether the file is an adapter (<c>general.type = "adapter"</c>) rather than a model.</summary>
    public static bool IsAdapter(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return string.Equals(file.GetString(GgufKeys.Type), AdapterFileType, StringComparison.Ordinal);
    }

    /// <summary>The adapter's alpha, or null when the file leaves it out (llama.cpp then scales by 1).</summary>
    public static float? Alpha(GgufFile adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return adapter.Get(AlphaKey) is { } value && value.TryGetDouble(out var alpha) && alpha != 0 ? (float)alpha : null;
    }

    /// <summary>The adapter's tensor pairs, by base tensor name.</summary>
    /// <exception cref="InvalidDataException">A tensor has another suffix, or a pair misses one half.</exception>
    public static IReadOnlyList<LoraTensorPair> Pairs(GgufFile adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        var a = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        var b = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        foreach (var tensor in adapter.Tensors)
        {
            if (tensor.Name.EndsWith(SuffixA, StringComparison.Ordinal))
            {
                a[tensor.Name[..^SuffixA.Length]] = tensor;
            }
            else if (tensor.Name.EndsWith(SuffixB, StringComparison.Ordinal))
            {
                b[tensor.Name[..^SuffixB.Length]] = tensor;
            }
            else
            {
                throw new InvalidDataException($"LoRA tensor '{tensor.Name}' has neither the {SuffixA} nor the {SuffixB} suffix.");
            }
        }

        var pairs = new List<LoraTensorPair>(a.Count);
        foreach (var (name, tensorA) in a)
        {
            if (!b.TryGetValue(name, out var tensorB))
            {
                throw new InvalidDataException($"LoRA tensor pair for '{name}' has no {SuffixB} half.");
            }

            pairs.Add(new LoraTensorPair(name, tensorA, tensorB));
        }

        if (b.Keys.FirstOrDefault(n => !a.ContainsKey(n)) is { } lonely)
        {
            throw new InvalidDataException($"LoRA tensor pair for '{lonely}' has no {SuffixA} half.");
        }

        return pairs;
    }

    /// <summary>Why <paramref name="adapter"/> cannot apply to <paramref name="baseModel"/>, or null when it can:
    /// the checks llama.cpp makes when it loads an adapter (type, architecture, every adapted tensor present with
    /// matching dimensions), made before anything is stored or loaded.</summary>
    public static string? Mismatch(GgufFile adapter, GgufFile baseModel)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(baseModel);
        if (!IsAdapter(adapter))
        {
            return "the file is not an adapter (general.type is not 'adapter')";
        }

        if (!string.Equals(adapter.GetString(AdapterTypeKey), LoraAdapterType, StringComparison.Ordinal))
        {
            return $"adapter.type is '{adapter.GetString(AdapterTypeKey)}'; only 'lora' adapters are supported";
        }

        if (IsAdapter(baseModel))
        {
            return "the base is itself an adapter";
        }

        var architecture = adapter.GetString(GgufKeys.Architecture);
        var baseArchitecture = baseModel.GetString(GgufKeys.Architecture);
        if (!string.Equals(architecture, baseArchitecture, StringComparison.Ordinal))
        {
            return $"the adapter is for architecture '{architecture}', the base is '{baseArchitecture}'";
        }

        IReadOnlyList<LoraTensorPair> pairs;
        try
        {
            pairs = Pairs(adapter);
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }

        if (pairs.Count == 0)
        {
            return "the adapter has no tensors";
        }

        var tensors = baseModel.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            if (!tensors.TryGetValue(pair.BaseName, out var target))
            {
                return $"the base has no tensor '{pair.BaseName}'";
            }

            if (pair.A.Dimensions.Count != 2 || pair.B.Dimensions.Count != 2 || target.Dimensions.Count != 2)
            {
                return $"the tensors of '{pair.BaseName}' are not matrices";
            }

            if (target.Dimensions[0] != pair.A.Dimensions[0] || target.Dimensions[1] != pair.B.Dimensions[1] || pair.A.Dimensions[1] != pair.B.Dimensions[0])
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"tensor '{pair.BaseName}' is [{target.Dimensions[0]}, {target.Dimensions[1]}] in the base; the adapter's A is [{pair.A.Dimensions[0]}, {pair.A.Dimensions[1]}] and B [{pair.B.Dimensions[0]}, {pair.B.Dimensions[1]}] (A must be [in, rank], B [rank, out])");
            }
        }

        return null;
    }

    /// <summary>Writes a random adapter for the model at <paramref name="basePath"/> to <paramref name="path"/>.</summary>
    public static void Write(string basePath, string path, LoraAdapterOptions? options = null) =>
        CreateWriter(GgufReader.Read(basePath), options).Write(path);

    /// <summary>A writer holding a random adapter (F32 factors) for every target tensor of <paramref name="baseModel"/>.</summary>
    public static GgufWriter CreateWriter(GgufFile baseModel, LoraAdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        options ??= new LoraAdapterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Rank, 1);
        ArgumentNullException.ThrowIfNull(options.Targets);
        var architecture = baseModel.GetString(GgufKeys.Architecture)
            ?? throw new ArgumentException("The base model names no architecture.", nameof(baseModel));
        var writer = new GgufWriter()
            .SetString(GgufKeys.Architecture, architecture)
            .SetString(GgufKeys.Type, AdapterFileType)
            .SetString(GgufKeys.Name, options.Name)
            .SetString(AdapterTypeKey, LoraAdapterType)
            .SetFloat32(AlphaKey, options.Alpha);
        var random = new Random(options.Seed);
        float[] Random(long count)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * options.WeightScale;
            }

            return values;
        }

        var targets = baseModel.Tensors
            .Where(t => t.Dimensions.Count == 2 && options.Targets.Any(target => IsBlockTensor(t.Name, target)))
            .ToList();
        if (targets.Count == 0)
        {
            throw new ArgumentException("The base model has none of the target tensors.", nameof(options));
        }

        foreach (var tensor in targets)
        {
            long input = tensor.Dimensions[0], output = tensor.Dimensions[1], rank = options.Rank;
            writer.AddF32Tensor(tensor.Name + SuffixA, [input, rank], Random(input * rank));
            writer.AddF32Tensor(tensor.Name + SuffixB, [rank, output], Random(rank * output));
        }

        return writer;
    }

    /// <summary>Writes <paramref name="basePath"/> with the adapter merged into its weights (W + scale·alpha/r·B·A) to
    /// <paramref name="outputPath"/>: a normal model with the base's metadata and tensor types.</summary>
    /// <exception cref="ArgumentException">The adapter does not fit the base.</exception>
    /// <exception cref="NotSupportedException">An adapted tensor (or factor) is quantized; merging takes F32 or F16.</exception>
    public static void Merge(string basePath, string adapterPath, string outputPath, float scale = 1f)
    {
        var baseModel = GgufReader.Read(basePath);
        var adapter = GgufReader.Read(adapterPath);
        if (Mismatch(adapter, baseModel) is { } reason)
        {
            throw new ArgumentException($"The adapter does not fit the base: {reason}.", nameof(adapterPath));
        }

        var pairs = Pairs(adapter).ToDictionary(p => p.BaseName, StringComparer.Ordinal);
        var alpha = Alpha(adapter);
        var writer = new GgufWriter();
        foreach (var (key, value) in baseModel.Metadata)
        {
            writer.Set(key, value);
        }

        using var baseStream = new FileStream(basePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var adapterStream = new FileStream(adapterPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        foreach (var tensor in baseModel.Tensors)
        {
            if (!pairs.TryGetValue(tensor.Name, out var pair))
            {
                writer.AddTensor(tensor.Name, tensor.Dimensions, tensor.Type, ReadBytes(baseStream, baseModel, tensor));
                continue;
            }

            var weights = ReadFloats(baseStream, baseModel, tensor);
            var a = ReadFloats(adapterStream, adapter, pair.A);
            var b = ReadFloats(adapterStream, adapter, pair.B);
            var rank = (int)pair.Rank;
            var factor = scale * (alpha is { } al ? al / rank : 1f);
            AddProduct(weights, a, b, (int)tensor.Dimensions[0], (int)tensor.Dimensions[1], rank, factor);
            if (tensor.Type == GgmlType.F16)
            {
                writer.AddF16Tensor(tensor.Name, tensor.Dimensions, weights);
            }
            else
            {
                writer.AddF32Tensor(tensor.Name, tensor.Dimensions, weights);
            }
        }

        writer.Write(outputPath);
    }

    /// <summary>W[o, i] += factor · Σk B[o, k] · A[k, i], with W row-major [out][in], A [rank][in], B [out][rank].</summary>
    private static void AddProduct(float[] weights, float[] a, float[] b, int input, int output, int rank, float factor)
    {
        for (var o = 0; o < output; o++)
        {
            var row = weights.AsSpan(o * input, input);
            for (var k = 0; k < rank; k++)
            {
                var coefficient = factor * b[(o * rank) + k];
                var aRow = a.AsSpan(k * input, input);
                for (var i = 0; i < input; i++)
                {
                    row[i] += coefficient * aRow[i];
                }
            }
        }
    }

    private static bool IsBlockTensor(string name, string target) =>
        name.StartsWith("blk.", StringComparison.Ordinal) && name.EndsWith("." + target, StringComparison.Ordinal);

    private static byte[] ReadBytes(FileStream stream, GgufFile file, GgufTensorInfo tensor)
    {
        var bytes = new byte[tensor.ByteSize];
        stream.Seek(file.DataOffset + tensor.Offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static float[] ReadFloats(FileStream stream, GgufFile file, GgufTensorInfo tensor)
    {
        var bytes = ReadBytes(stream, file, tensor);
        var values = new float[tensor.ElementCount];
        switch (tensor.Type)
        {
            case GgmlType.F32:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2));
                }

                break;
            default:
                throw new NotSupportedException($"Tensor '{tensor.Name}' is {tensor.Type}; merging takes F32 or F16 tensors (merge before quantizing).");
        }

        return values;
    }
}
