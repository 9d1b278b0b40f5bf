using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Processing;

namespace Maas.UnitTests.Serving.Processing;

public sealed class TensorPostProcessorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("maas-post").FullName;

    private static readonly TensorSpec[] Outputs = [new("logits", TensorDataType.Fp32, [-1, 3])];

    [Fact]
    public void Apply_SoftmaxLastAxis_EachRowSumsToOneAndKeepsOrder()
    {
        var post = TensorPostProcessor.Create(Manifest(Step(ProcessingSteps.Softmax)), Outputs, Files());
        using var result = new InferenceResult([Tensor.Create("logits", [2, 3], new[] { 1f, 2f, 3f, 1000f, 1000f, 1000f })]);

        post.Apply(result);

        var p = result.Outputs[0].AsSpan<float>().ToArray();
        Assert.Equal(1.0, p[0] + p[1] + p[2], 6);
        Assert.Equal(Math.Exp(3) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), p[2], 6);
        Assert.All(p[3..], v => Assert.Equal(1.0 / 3, v, 6));
    }

    [Fact]
    public void Softmax_FirstAxis_NormalisesColumns()
    {
        float[] values = [0f, 1f, 0f, 1f];

        TensorPostProcessor.Softmax(values, [2, 2], 0);

        Assert.Equal(0.5, values[0], 6);
        Assert.Equal(0.5, values[2], 6);
        Assert.Equal(0.5, values[1], 6);
    }

    [Fact]
    public void Create_TopKAndLabels_DescribesTheClassifier()
    {
        File.WriteAllText(Path.Combine(_folder, "labels.txt"), "a\r\nb\r\nc\r\n\r\n");

        var post = TensorPostProcessor.Create(
            Manifest(Step(ProcessingSteps.TopK, ("k", "2")), Step(ProcessingSteps.Labels)), Outputs, Files("labels.txt"));

        Assert.NotNull(post.Classifier);
        Assert.Equal("logits", post.Classifier.Output);
        Assert.Equal(2, post.Classifier.TopK);
        Assert.Equal(["a", "b", "c"], post.Classifier.Labels);
    }

    [Fact]
    public void Create_PlainTensorModel_HasNoClassifier()
    {
        var post = TensorPostProcessor.Create(new ModelManifest(), Outputs, Files());

        Assert.Null(post.Classifier);
    }

    [Theory]
    [InlineData("argmax", null, null, "'argmax' is not known")]
    [InlineData("softmax", "axis", "2", "softmax axis 2 is outside")]
    [InlineData("top_k", "k", "0", "at least 1")]
    [InlineData("top_k", "k", "two", "'k' must be an integer")]
    [InlineData("labels", "file", "classes.txt", "'classes.txt', which is not among")]
    [InlineData("softmax", "output", "probs", "names output 'probs'")]
    public void Create_BadStep_ThrowsInvalidArgumentNamingIt(string name, string? key, string? value, string expected)
    {
        var step = key is null ? Step(name) : Step(name, (key, value!));

        var ex = Assert.Throws<MaasException>(() => TensorPostProcessor.Create(Manifest(step), Outputs, Files()));

        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LabelsCountDiffersFromClasses_Throws()
    {
        File.WriteAllText(Path.Combine(_folder, "labels.txt"), "a\nb\n");

        var ex = Assert.Throws<MaasException>(() => TensorPostProcessor.Create(Manifest(Step(ProcessingSteps.Labels)), Outputs, Files("labels.txt")));

        Assert.Contains("2 labels but output 'logits' has 3 classes", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ModelManifest Manifest(params ProcessingStep[] steps) => new() { Task = ModelTasks.Classification, PostProcessing = steps };

    private static ProcessingStep Step(string name, params (string Key, string Value)[] parameters) =>
        new(name, parameters.ToDictionary(p => p.Key, p => p.Value));

    private Dictionary<string, string> Files(params string[] names) =>
        names.ToDictionary(n => n, n => Path.Combine(_folder, n));
}
