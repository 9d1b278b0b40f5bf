using Google.Protobuf;
using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;

namespace Maas.Formats.Onnx;

/// <summary>Reads and writes whole ONNX models (<see cref="ModelProto"/>), weights in <c>raw_data</c> or in external
/// data files beside the model.</summary>
/// <remarks>
/// Loading brings every external tensor into memory (<c>raw_data</c>), so a loaded model is self-contained and can be
/// saved anywhere. Saving keeps everything the protobuf runtime parsed, unknown fields included, so an unchanged model
/// parses back to an equal message. Files are written under temporary names and renamed, so a failed save leaves no
/// half-written model behind.
/// </remarks>
public static class OnnxModelFile
{
    /// <summary>Protobuf refuses messages of 2 GiB or more; this leaves room for everything that is not a weight.</summary>
    public const long ProtobufSizeLimit = (2L << 30) - (64L << 20);

    private const string LocationKey = "location";
    private const string OffsetKey = "offset";
    private const string LengthKey = "length";

    /// <summary>Parses the model at <paramref name="path"/> and loads its external data into memory.</summary>
    /// <exception cref="MaasException">InvalidArgument when the file is not an ONNX model or its external data is
    /// missing, out of range or outside the model's folder.</exception>
    public static ModelProto Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        ModelProto model;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MaasException(MaasErrorKind.InvalidArgument, $"'{Path.GetFileName(path)}' is not a valid ONNX model: {e.Message}", e);
        }

        LoadExternalData(model, Path.GetDirectoryName(fullPath)!);
        return model;
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>, large tensors into a data file beside it
    /// when <paramref name="options"/> ask for it or the model would pass protobuf's size limit.</summary>
    /// <returns>The files written (the model file first).</returns>
    /// <exception cref="MaasException">InvalidArgument when the model cannot be written inline under the limit and
    /// external data is refused.</exception>
    public static IReadOnlyList<string> Save(ModelProto model, string path, OnnxSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxSaveOptions();
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var dataFileName = options.ExternalDataFileName ?? Path.GetFileName(fullPath) + ".data";
        if (dataFileName.IndexOfAny(['/', '\\']) >= 0 || dataFileName.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"External data file name '{dataFileName}' must be a plain file name.", nameof(options));
        }

        var tensors = OnnxTensors.All(model).ToList();
        if (tensors.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            throw new InvalidOperationException("The model still refers to external data; load it with OnnxModelFile.Load first.");
        }

        var toExternalize = ChooseExternal(model, tensors, options);
        var files = new List<string> { fullPath };
        var modelTemp = TempName(fullPath);
        var dataPath = Path.Combine(directory, dataFileName);
        var dataTemp = toExternalize.Count > 0 ? TempName(dataPath) : null;
        var moved = new List<(TensorProto Tensor, ByteString Raw)>(toExternalize.Count);
        try
        {
            if (dataTemp is not null)
            {
                WriteExternalData(toExternalize, dataTemp, dataFileName, moved);
                files.Add(dataPath);
            }

            using (var output = new FileStream(modelTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                model.WriteTo(output);
                output.Flush(flushToDisk: true);
            }

            if (dataTemp is not null)
            {
                File.Move(dataTemp, dataPath, overwrite: true);
            }

            File.Move(modelTemp, fullPath, overwrite: true);
            return files;
        }
        finally
        {
            foreach (var (tensor, raw) in moved)
            {
                tensor.ClearDataLocation();
                tensor.ExternalData.Clear();
                tensor.RawData = raw;
            }

            DeleteIfExists(modelTemp);
            if (dataTemp is not null)
            {
                DeleteIfExists(dataTemp);
            }
        }
    }

    private static List<TensorProto> ChooseExternal(ModelProto model, List<TensorProto> tensors, OnnxSaveOptions options)
    {
        var candidates = tensors.Where(t => t.HasRawData && t.RawData.Length >= Math.Max(1, options.ExternalDataThreshold)).ToList();
        var weightBytes = tensors.Sum(t => (long)t.RawData.Length);
        var tooLarge = weightBytes >= options.InlineSizeLimit || model.CalculateSize() >= options.InlineSizeLimit;
        switch (options.ExternalData)
        {
            case OnnxExternalDataMode.Always:
                return candidates;
            case OnnxExternalDataMode.Never when tooLarge:
                throw MaasException.InvalidArgument(
                    $"The model's weights ({weightBytes} bytes) do not fit in one protobuf message; save it with external data.");
            case OnnxExternalDataMode.Never:
                return [];
            default:
                return tooLarge ? candidates : [];
        }
    }

    private static void WriteExternalData(
        List<TensorProto> tensors,
        string dataTemp,
        string dataFileName,
        List<(TensorProto Tensor, ByteString Raw)> moved)
    {
        using var data = new FileStream(dataTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        foreach (var tensor in tensors)
        {
            var raw = tensor.RawData;

            // Page-aligned offsets let ONNX Runtime map large tensors instead of copying them.
            var alignment = raw.Length >= (1 << 20) ? 4096 : 64;
            var offset = (data.Position + alignment - 1) / alignment * alignment;
            while (data.Position < offset)
            {
                data.WriteByte(0);
            }

            data.Write(raw.Span);
            moved.Add((tensor, raw));
            tensor.ClearRawData();
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(new StringStringEntryProto { Key = LocationKey, Value = dataFileName });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = OffsetKey, Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = LengthKey, Value = raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        data.Flush(flushToDisk: true);
    }

    private static void LoadExternalData(ModelProto model, string directory)
    {
        var external = OnnxTensors.All(model).Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        if (external.Count == 0)
        {
            return;
        }

        var files = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        try
        {
            foreach (var tensor in external)
            {
                var (location, offset, length) = ParseExternal(tensor);
                if (!files.TryGetValue(location, out var file))
                {
                    file = OpenDataFile(directory, location, tensor.Name);
                    files.Add(location, file);
                }

                length ??= file.Length - offset;
                if (offset < 0 || length < 0 || offset + length > file.Length || length > Array.MaxLength)
                {
                    throw MaasException.InvalidArgument(
                        $"Tensor '{tensor.Name}' refers to bytes {offset}..{offset + length} of '{location}', which has {file.Length} bytes.");
                }

                var bytes = new byte[length.Value];
                file.Position = offset;
                file.ReadExactly(bytes);
                tensor.ExternalData.Clear();
                tensor.ClearDataLocation();
                tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
            }
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
        }
    }

    private static (string Location, long Offset, long? Length) ParseExternal(TensorProto tensor)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case LocationKey:
                    location = entry.Value;
                    break;
                case OffsetKey:
                    offset = ParseLong(tensor, entry);
                    break;
                case LengthKey:
                    length = ParseLong(tensor, entry);
                    break;
            }
        }

        return string.IsNullOrEmpty(location)
            ? throw MaasException.InvalidArgument($"Tensor '{tensor.Name}' has external data without a location.")
            : (location, offset, length);
    }

    private static long ParseLong(TensorProto tensor, StringStringEntryProto entry) =>
        long.TryParse(entry.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw MaasException.InvalidArgument($"Tensor '{tensor.Name}' has external data {entry.Key} '{entry.Value}', not a number.");

    private static FileStream OpenDataFile(string directory, string location, string tensorName)
    {
        // The location is relative to the model's folder and must stay inside it: a model file must not read
        // arbitrary files of the machine that loads it.
        var full = Path.GetFullPath(Path.Combine(directory, location));
        var root = Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(location) || !full.StartsWith(root, StringComparison.Ordinal))
        {
            throw MaasException.InvalidArgument($"Tensor '{tensorName}' has external data '{location}' outside the model's folder.");
        }

        try
        {
            return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new MaasException(MaasErrorKind.InvalidArgument, $"Tensor '{tensorName}' has external data '{location}', which is missing.", e);
        }
    }

    private static string TempName(string path) => $"{path}.tmp-{Guid.NewGuid():N}";

    private static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
