using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>The README's <c>/predict</c> examples for raw tensor models, run as written against the models they describe.</summary>
[Collection(TensorServerCollection.Name)]
public sealed partial class ReadmePredictExamplesTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task ReadmeTensorPredictExamples_RunAsWritten_AnswerWhatTheReadmeShows()
    {
        await fixture.Server.PushAsync("my-adder", [("model.onnx", TensorModels.AddBias().ToBytes())]);
        await fixture.Server.PushAsync("my-sum", [("model.onnx", TensorModels.AddTwoInputs(TensorDataType.Fp32).ToBytes())]);
        var examples = Example().Matches(await File.ReadAllTextAsync(ReadmePath()));

        Assert.Equal(["my-adder", "my-sum"], examples.Select(e => e.Groups["model"].Value));
        foreach (Match example in examples)
        {
            var (status, body) = await Json.PostAsync(fixture.Client, $"/models/{example.Groups["model"].Value}/predict", example.Groups["body"].Value);

            Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
            Assert.Equal(example.Groups["answer"].Value, JsonSerializer.Serialize(body));
        }
    }

    private static string ReadmePath()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var readme = Path.Combine(folder.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(folder.FullName, "Maas.slnx")))
            {
                return readme;
            }
        }

        throw new FileNotFoundException("README.md of the repository not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^curl -s localhost:8000/models/(?<model>my-[a-z]+)/predict -d '(?<body>[^']+)'\r?\n# (?<answer>\{.+\})$", RegexOptions.Multiline)]
    private static partial Regex Example();
}
