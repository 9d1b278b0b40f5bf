using System.Globalization;
using System.Net;
using System.Text;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Tensors;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>A tiny classifier (logits = x, four classes) pushed with softmax, top_k and labels.txt: the v2
/// classification extension and <c>/predict</c> answer its top classes with their labels.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class ClassificationTests(TensorServerFixture fixture)
{
    private static readonly string[] Labels = ["cat", "dog", "bird", "fish"];
    private static readonly float[] Logits = [1f, 2f, 3f, 0.5f];

    private const string Manifest = """
        {"task": "classification", "post_processing": [
          {"name": "softmax", "parameters": {"axis": "-1"}},
          {"name": "top_k", "parameters": {"k": "2"}},
          {"name": "labels", "parameters": {"file": "labels.txt"}}]}
        """;

    [Fact]
    public async Task Infer_ClassifierOutputWithoutClassification_ReturnsSoftmaxProbabilities()
    {
        var model = await PushClassifierAsync();

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", Request(null));

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var probabilities = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var expected = Softmax(Logits);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], probabilities[i], 6);
        }
    }

    [Fact]
    public async Task Infer_ClassificationParameter_ReturnsTopKScoreIndexLabelStrings()
    {
        var model = await PushClassifierAsync();

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", Request(3));

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var output = body.GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([1L, 3L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var entries = output.GetProperty("data").EnumerateArray().Select(v => v.GetString()!.Split(':')).ToArray();
        Assert.Equal(["2", "1", "0"], entries.Select(e => e[1]));
        Assert.Equal(["bird", "dog", "cat"], entries.Select(e => e[2]));
        var expected = Softmax(Logits);
        Assert.Equal(expected[2], double.Parse(entries[0][0], CultureInfo.InvariantCulture), 6);
        Assert.Equal(expected[1], double.Parse(entries[1][0], CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public async Task Infer_ClassificationInBinary_ReturnsLengthPrefixedStrings()
    {
        var model = await PushClassifierAsync();
        var body = Request(1).Replace("\"classification\": 1", "\"classification\": 1, \"binary_data\": true", StringComparison.Ordinal);

        var response = await BinaryBody.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body, []);

        Assert.True(response.Status == HttpStatusCode.OK, $"{(int)response.Status}: {response.Json}");
        var values = BinaryBody.DecodeStrings(response.Binary);
        Assert.EndsWith(":2:bird", Assert.Single(values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_ClassificationOnModelWithoutLabels_ReturnsScoreIndex()
    {
        var model = await fixture.PushAsync("classify-plain", TensorModels.Identity(TensorDataType.Fp32));
        var body = """{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [0.5, 2, 1, 7, -1, 3]}], "outputs": [{"name": "y", "parameters": {"classification": 2}}]}""";

        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {response}");
        var output = response.GetProperty("outputs")[0];
        Assert.Equal([2L, 2L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["2:1", "1:2", "7:0", "3:2"], output.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Infer_ClassificationNotPositive_Returns400()
    {
        var model = await PushClassifierAsync();

        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", Request(0));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'classification' must be a positive integer", response.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_Classifier_ReturnsTopKLabelsIndicesAndScores()
    {
        var model = await PushClassifierAsync();

        var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[1, 2, 3, 0.5], [4, 0, 0, 0]]}""");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var rows = body.GetProperty("output");
        Assert.Equal(2, rows.GetArrayLength());
        var first = rows[0].EnumerateArray().ToArray();
        Assert.Equal(2, first.Length);
        Assert.Equal(["bird", "dog"], first.Select(c => c.GetProperty("label").GetString()));
        Assert.Equal([2, 1], first.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(Softmax(Logits)[2], first[0].GetProperty("score").GetDouble(), 6);
        Assert.Equal("cat", rows[1][0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task Infer_LabelsFileWithWrongCount_Returns503NamingTheMismatch()
    {
        var model = $"classify-badlabels-{Guid.NewGuid():N}"[..30];
        await fixture.Server.PushAsync(model, [("model.onnx", Classifier().ToBytes()), ("labels.txt", Encoding.UTF8.GetBytes("cat\ndog\n"))], manifestJson: Manifest);

        var (status, body) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", Request(null));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("2 labels but output 'logits' has 4 classes", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> PushClassifierAsync()
    {
        var model = $"classifier-{Guid.NewGuid():N}"[..24];
        var labels = Encoding.UTF8.GetBytes(string.Join("\n", Labels) + "\n");
        await fixture.Server.PushAsync(model, [("model.onnx", Classifier().ToBytes()), ("labels.txt", labels)], manifestJson: Manifest);
        return model;
    }

    private static OnnxModelBuilder Classifier() => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, 4])
        .AddOutput("logits", TensorDataType.Fp32, [-1, 4])
        .AddNode("Identity", ["x"], ["logits"]);

    private static string Request(int? classification)
    {
        var outputs = classification is { } k ? $$$""", "outputs": [{"name": "logits", "parameters": {"classification": {{{k}}}}}]""" : string.Empty;
        return $$"""{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 0.5]}]{{outputs}}}""";
    }

    private static double[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }
}
