using System.Globalization;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Processing;

namespace Maas.Optimization.Evaluation;

/// <summary>Finds the inputs a quantize job calibrates with and measures on: given with the job, else stored with the
/// parent version as <see cref="SamplesFile"/>, else generated for the signature.</summary>
/// <remarks>
/// Text encoders (ONNX + WordPiece) get their texts turned into model feeds by the same WordPiece encoder the serving
/// pipeline uses, one text per feed (batch 1, unpadded), so calibration sees what serving feeds the model.
/// </remarks>
internal static class EvaluationInputs
{
    /// <summary>The file of a version that holds its evaluation samples, one JSON object per line.</summary>
    public const string SamplesFile = "samples.jsonl";

    /// <summary>Generated tensor samples; enough for calibration (≥ 32) without making the job slow.</summary>
    public const int GeneratedTensorSamples = 32;

    public static EvaluationKind KindOf(ModelManifest manifest) => manifest.Task switch
    {
        ModelTasks.TextGeneration => EvaluationKind.TextGeneration,
        ModelTasks.Embeddings when manifest.Format == ModelFormats.Gguf => EvaluationKind.TextEmbedder,
        ModelTasks.Embeddings when manifest.PreProcessing.Any(s => s.Name == ProcessingSteps.WordPiece) => EvaluationKind.TextEmbedding,
        _ => EvaluationKind.Tensor,
    };

    /// <summary>Builds the evaluation set.</summary>
    /// <param name="manifest">The parent's manifest.</param>
    /// <param name="files">The parent's files: logical name to a readable local path.</param>
    /// <param name="jobSamples">The job's <c>calibration</c> array, or null.</param>
    public static EvaluationSet Build(ModelManifest manifest, IReadOnlyDictionary<string, string> files, JsonElement? jobSamples)
    {
        var kind = KindOf(manifest);
        IReadOnlyList<JsonElement>? samples = null;
        var source = EvaluationSet.Generated;
        if (jobSamples is { } given)
        {
            samples = SampleReader.ReadArray(given);
            source = EvaluationSet.FromJob;
        }
        else if (files.TryGetValue(SamplesFile, out var path))
        {
            samples = SampleReader.ReadLines(path, SamplesFile);
            source = EvaluationSet.FromVersion;
        }

        if (kind == EvaluationKind.Tensor)
        {
            var feeds = samples is null
                ? SyntheticInputs.Create(manifest.Inputs, GeneratedTensorSamples)
                : [.. samples.Select((s, i) => SampleReader.ReadTensors(s, manifest.Inputs, i))];
            return new EvaluationSet(kind, source, [], feeds);
        }

        var texts = samples is null
            ? (kind == EvaluationKind.TextGeneration ? SampleTexts.Prompts : SampleTexts.Sentences)
            : [.. samples.Select((s, i) => SampleReader.ReadText(s, i))];
        var textFeeds = kind == EvaluationKind.TextEmbedding ? Tokenize(manifest, files, texts) : [];
        return new EvaluationSet(kind, source, texts, textFeeds);
    }

    /// <summary>Checks the job's samples against the parent's signature without keeping them (job validation).</summary>
    public static void Validate(ModelManifest manifest, JsonElement jobSamples)
    {
        var samples = SampleReader.ReadArray(jobSamples);
        var kind = KindOf(manifest);
        for (var i = 0; i < samples.Count; i++)
        {
            if (kind == EvaluationKind.Tensor)
            {
                foreach (var tensor in SampleReader.ReadTensors(samples[i], manifest.Inputs, i))
                {
                    tensor.Dispose();
                }
            }
            else
            {
                SampleReader.ReadText(samples[i], i);
            }
        }
    }

    /// <summary>WordPiece-encodes each text the way the embeddings pipeline does, into one feed per text.</summary>
    public static List<IReadOnlyList<Tensor>> Tokenize(ModelManifest manifest, IReadOnlyDictionary<string, string> files, IReadOnlyList<string> texts)
    {
        var encoder = CreateEncoder(manifest, files);
        var feeds = new List<IReadOnlyList<Tensor>>(texts.Count);
        foreach (var text in texts)
        {
            var ids = encoder.Tokenize(text);
            long[] shape = [1, ids.Length];
            var feed = new List<Tensor>(manifest.Inputs.Count);
            foreach (var input in manifest.Inputs)
            {
                var data = input.Name switch
                {
                    "input_ids" => ids,
                    "attention_mask" => Enumerable.Repeat(1L, ids.Length).ToArray(),
                    _ => new long[ids.Length],
                };
                feed.Add(Tensor.Create(input.Name, shape, data));
            }

            feeds.Add(feed);
        }

        return feeds;
    }

    private static WordPieceEncoder CreateEncoder(ModelManifest manifest, IReadOnlyDictionary<string, string> files)
    {
        var step = manifest.PreProcessing.First(s => s.Name == ProcessingSteps.WordPiece);
        var vocab = step.Get("vocab", "vocab.txt");
        if (!files.TryGetValue(vocab, out var vocabPath))
        {
            throw MaasException.InvalidArgument($"The wordpiece step names vocabulary '{vocab}', which is not among the version's files.");
        }

        if (!int.TryParse(step.Get("max_length", "256"), NumberStyles.None, CultureInfo.InvariantCulture, out var maxLength))
        {
            throw MaasException.InvalidArgument("wordpiece max_length must be an integer.");
        }

        return new WordPieceEncoder(vocabPath, step.Get("lowercase", "true") == "true", maxLength);
    }
}
