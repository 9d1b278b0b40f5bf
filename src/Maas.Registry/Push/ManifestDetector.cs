using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Formats.Gguf;
using Maas.Formats.Onnx;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Push;

/// <summary>Completes a pushed manifest from the files themselves: model file, format, signature, task and processing.</summary>
/// <remarks>
/// What the caller gave wins; detection only fills gaps. The task counts as "not given" when there is no manifest
/// or when it is the default <c>tensor</c> with no processing steps, because a manifest deserialized from JSON
/// that omits the task cannot be told apart from one that says <c>tensor</c>.
/// </remarks>
internal sealed class ManifestDetector(ISignatureReader signatureReader)
{
    public const string LlamaEngine = "llama";
    public const string VocabFile = "vocab.txt";

    private const string OnnxExtension = ArtifactFileNames.OnnxExtension;
    private const string GgufExtension = ArtifactFileNames.GgufExtension;

    /// <param name="given">The caller's manifest, or null.</param>
    /// <param name="files">The version's stored files.</param>
    /// <param name="localPath">Where a stored file can be read (by digest).</param>
    public ModelManifest Complete(ModelManifest? given, IReadOnlyList<ArtifactFile> files, Func<string, string> localPath)
    {
        var manifest = given ?? new ModelManifest();
        if (!ModelTasks.All.Contains(manifest.Task, StringComparer.Ordinal))
        {
            throw MaasException.InvalidArgument(
                $"Task '{manifest.Task}' is not known; expected one of {string.Join(", ", ModelTasks.All)}.");
        }

        var taskGiven = given is not null
            && (manifest.Task != ModelTasks.Tensor || manifest.PreProcessing.Count > 0 || manifest.PostProcessing.Count > 0);
        var modelFile = FindModelFile(given, files);
        var extension = Path.GetExtension(modelFile.Name).ToLowerInvariant();

        if (extension == GgufExtension)
        {
            var facts = GgufModelFacts.From(ReadGguf(modelFile, localPath));
            var detectedTask = facts.IsEmbeddingModel ? ModelTasks.Embeddings : ModelTasks.TextGeneration;
            return manifest with
            {
                Format = ModelFormats.Gguf,
                Engine = manifest.Engine == ModelFormats.Onnx ? LlamaEngine : manifest.Engine,
                ModelFile = modelFile.Name,
                Task = taskGiven ? manifest.Task : detectedTask,
                Properties = GgufManifestProperties.Merge(manifest.Properties, facts),
            };
        }

        if (extension != OnnxExtension)
        {
            throw MaasException.InvalidArgument(
                $"Model file '{modelFile.Name}' has an unknown format; expected a {OnnxExtension} or {GgufExtension} file.");
        }

        var info = ReadOnnx(modelFile, localPath);
        var completed = manifest with
        {
            Format = ModelFormats.Onnx,
            ModelFile = modelFile.Name,
            Inputs = manifest.Inputs.Count > 0 ? manifest.Inputs : info.Inputs,
            Outputs = manifest.Outputs.Count > 0 ? manifest.Outputs : info.Outputs,
            Properties = MergeProperties(manifest.Properties, info),
        };

        if (taskGiven && completed.Task != ModelTasks.Embeddings)
        {
            return completed;
        }

        if (FindEmbeddingOutput(completed, files) is { } output)
        {
            return completed with
            {
                Task = ModelTasks.Embeddings,
                PreProcessing = completed.PreProcessing.Count > 0 ? completed.PreProcessing : [WordPieceStep()],
                PostProcessing = completed.PostProcessing.Count > 0
                    ? completed.PostProcessing
                    : [new ProcessingStep(ProcessingSteps.MeanPooling, new Dictionary<string, string> { ["output"] = output.Name }), new ProcessingStep(ProcessingSteps.L2Normalize)],
            };
        }

        return taskGiven ? completed : completed with { Task = ModelTasks.Tensor };
    }

    private static ArtifactFile FindModelFile(ModelManifest? given, IReadOnlyList<ArtifactFile> files)
    {
        var name = ArtifactFileNames.ChooseModelFile(files.Select(f => f.Name).ToList(), given?.ModelFile);
        return files.First(f => string.Equals(f.Name, name, StringComparison.Ordinal));
    }

    private OnnxModelInfo ReadOnnx(ArtifactFile modelFile, Func<string, string> localPath)
    {
        try
        {
            return signatureReader.ReadOnnx(localPath(modelFile.Sha256));
        }
        catch (InvalidDataException e)
        {
            throw new MaasException(MaasErrorKind.InvalidArgument, $"'{modelFile.Name}' is not a valid ONNX model: {Reason(e)}", e);
        }
    }

    private static GgufFile ReadGguf(ArtifactFile modelFile, Func<string, string> localPath)
    {
        try
        {
            return GgufReader.Read(localPath(modelFile.Sha256));
        }
        catch (InvalidDataException e)
        {
            throw new MaasException(MaasErrorKind.InvalidArgument, $"'{modelFile.Name}' is not a valid GGUF file: {Reason(e)}", e);
        }
    }

    /// <summary>A BERT-style encoder: token ids and mask in, per-token FP32 states out, and its vocabulary alongside.</summary>
    private static TensorSpec? FindEmbeddingOutput(ModelManifest manifest, IReadOnlyList<ArtifactFile> files)
    {
        var hasVocab = files.Any(f => string.Equals(f.Name, VocabFile, StringComparison.OrdinalIgnoreCase));
        var hasIds = manifest.Inputs.Any(i => i.Name == "input_ids" && i.DataType == TensorDataType.Int64);
        var hasMask = manifest.Inputs.Any(i => i.Name == "attention_mask" && i.DataType == TensorDataType.Int64);
        return hasVocab && hasIds && hasMask
            ? manifest.Outputs.FirstOrDefault(o => o.DataType == TensorDataType.Fp32 && o.Shape.Count == 3)
            : null;
    }

    private static ProcessingStep WordPieceStep() =>
        new(ProcessingSteps.WordPiece, new Dictionary<string, string>
        {
            ["vocab"] = VocabFile,
            ["lowercase"] = "true",
            ["max_length"] = "256",
        });

    private static Dictionary<string, string> MergeProperties(IReadOnlyDictionary<string, string> given, OnnxModelInfo info)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (info.OpsetImports.TryGetValue(string.Empty, out var opset) || info.OpsetImports.TryGetValue("ai.onnx", out opset))
        {
            properties["opset"] = opset.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(info.ProducerName))
        {
            properties["producer"] = string.IsNullOrEmpty(info.ProducerVersion) ? info.ProducerName : $"{info.ProducerName} {info.ProducerVersion}";
        }

        properties["ir_version"] = info.IrVersion.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in given)
        {
            properties[key] = value;
        }

        return properties;
    }

    /// <summary>The reader's message without its own "Not a valid … :" lead, which the caller already says.</summary>
    private static string Reason(Exception e) =>
        e.Message.StartsWith("Not a valid", StringComparison.Ordinal) && e.Message.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon
            ? e.Message[(colon + 2)..]
            : e.Message;
}
