using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Optimization.Evaluation;
using Maas.UnitTests.Serving;

namespace Maas.UnitTests.Optimization;

public sealed class EvaluationInputsTests
{
    [Fact]
    public void Sentences_BuiltIn_AreManyAndVaried()
    {
        var sentences = SampleTexts.Sentences;

        Assert.True(sentences.Count >= 64);
        Assert.Equal(sentences.Count, sentences.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var words = sentences.Select(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length).ToList();
        Assert.True(words.Min() <= 2 && words.Max() >= 20, $"word counts {words.Min()}..{words.Max()}");
        Assert.True(sentences.Count(s => s.Any(char.IsDigit)) >= 10);
        Assert.True(sentences.Count(s => s.Contains('?')) >= 3);
        Assert.True(sentences.Count(s => s.Contains(',')) >= 10);
        Assert.True(sentences.Select(s => s.Split(' ')[0]).Distinct().Count() >= 40);
    }

    [Fact]
    public void Build_EncoderWithoutSamples_TokenizesSentencesLikeThePipeline()
    {
        var manifest = EncoderManifest();
        var files = new Dictionary<string, string> { ["vocab.txt"] = MiniLmVocabulary.Path };

        var set = EvaluationInputs.Build(manifest, files, null);

        Assert.Equal((EvaluationKind.TextEmbedding, "generated"), (set.Kind, set.Source));
        Assert.Equal(set.Texts.Count, set.Feeds.Count);
        var lengths = set.Feeds.Select(f => f[0].Shape[1]).ToList();
        Assert.True(lengths.Max() > 3 * lengths.Min(), "sentence lengths vary");
        foreach (var feed in set.Feeds)
        {
            Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], feed.Select(t => t.Name));
            Assert.All(feed, t => Assert.Equal(1, t.Shape[0]));
            var ids = feed[0].AsSpan<long>();
            Assert.Equal((101L, 102L), (ids[0], ids[^1]));
            Assert.All(feed[1].AsSpan<long>().ToArray(), m => Assert.Equal(1L, m));
        }
    }

    [Fact]
    public void Build_ImageInput_GivesSmoothPicturesInPixelRange()
    {
        var manifest = new ModelManifest { Inputs = [new TensorSpec("image", TensorDataType.Fp32, [-1, 3, 224, 224])] };

        var set = EvaluationInputs.Build(manifest, new Dictionary<string, string>(), null);

        Assert.Equal(EvaluationInputs.GeneratedTensorSamples, set.Count);
        var means = new List<double>();
        foreach (var feed in set.Feeds)
        {
            var image = Assert.Single(feed);
            Assert.Equal([1L, 3L, 224L, 224L], image.Shape);
            var values = image.AsSpan<float>();
            Assert.All(values.ToArray(), v => Assert.InRange(v, -124f, 152f));

            // Smooth: neighbouring pixels differ far less than the picture's spread.
            double step = 0, spread = values.ToArray().Max() - values.ToArray().Min();
            for (var i = 1; i < 224; i++)
            {
                step += Math.Abs(values[i] - values[i - 1]);
            }

            Assert.True(step / 223 < spread / 10, $"step {step / 223}, spread {spread}");
            means.Add(values.ToArray().Average());
        }

        Assert.True(means.Distinct().Count() == means.Count, "each picture differs");
    }

    [Fact]
    public void Build_SymbolicDims_GetSmallSizesAndDeclaredTypes()
    {
        var manifest = new ModelManifest
        {
            Inputs = [new TensorSpec("ids", TensorDataType.Int64, [-1, -1]), new TensorSpec("scale", TensorDataType.Fp16, [1, 3])],
        };

        var set = EvaluationInputs.Build(manifest, new Dictionary<string, string>(), null);

        var feed = set.Feeds[0];
        Assert.Equal((TensorDataType.Int64, "1x16"), (feed[0].DataType, string.Join("x", feed[0].Shape)));
        Assert.Equal((TensorDataType.Fp16, "1x3"), (feed[1].DataType, string.Join("x", feed[1].Shape)));
        Assert.True(feed[0].AsSpan<long>().ToArray().Distinct().Count() > 1);
    }

    [Fact]
    public void Build_JobSamplesForTextModel_ReadsTexts()
    {
        var manifest = new ModelManifest { Task = ModelTasks.TextGeneration, Format = ModelFormats.Gguf };
        var samples = JsonDocument.Parse("[{\"text\": \"Hi there\"}, {\"text\": \"Bye\"}]").RootElement;

        var set = EvaluationInputs.Build(manifest, new Dictionary<string, string>(), samples);

        Assert.Equal((EvaluationKind.TextGeneration, "job"), (set.Kind, set.Source));
        Assert.Equal(["Hi there", "Bye"], set.Texts);
        Assert.Empty(set.Feeds);
    }

    [Theory]
    [InlineData("[{\"x\": [[1, 2], [3]]}]", "ragged")]
    [InlineData("[{\"x\": [1.5, 2, 3, 4]}]", "INT64")]
    [InlineData("[{\"x\": [\"a\", 2, 3, 4]}]", "String")]
    [InlineData("[]", "non-empty")]
    [InlineData("[{}]", "missing")]
    public void Validate_BadTensorSamples_SaysWhat(string json, string mentioned)
    {
        var manifest = new ModelManifest { Inputs = [new TensorSpec("x", TensorDataType.Int64, [-1, -1])] };

        var error = Assert.Throws<MaasException>(() => EvaluationInputs.Validate(manifest, JsonDocument.Parse(json).RootElement));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TextModelSampleWithoutText_Fails()
    {
        var error = Assert.Throws<MaasException>(() => EvaluationInputs.Validate(EncoderManifest(), JsonDocument.Parse("[{\"input_ids\": [1, 2]}]").RootElement));
        Assert.Contains("\"text\"", error.Message, StringComparison.Ordinal);
    }

    private static ModelManifest EncoderManifest() => new()
    {
        Task = ModelTasks.Embeddings,
        Inputs =
        [
            new TensorSpec("input_ids", TensorDataType.Int64, [-1, -1]),
            new TensorSpec("attention_mask", TensorDataType.Int64, [-1, -1]),
            new TensorSpec("token_type_ids", TensorDataType.Int64, [-1, -1]),
        ],
        PreProcessing = [new ProcessingStep(ProcessingSteps.WordPiece, new Dictionary<string, string> { ["vocab"] = "vocab.txt" })],
    };
}
