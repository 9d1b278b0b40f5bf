using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Onnx;

namespace Maas.EndToEnd.Tests.Admin;

/// <summary>A tiny ONNX model <c>y = x + c</c>: each version gets its own constant, so an answer shows which version served it.</summary>
internal static class AddModel
{
    public static byte[] Create(float constant) => new OnnxModelBuilder()
        .AddInput("x", TensorDataType.Fp32, [-1, 3])
        .AddInitializer("c", TensorDataType.Fp32, [1], new[] { constant })
        .AddOutput("y", TensorDataType.Fp32, [-1, 3])
        .AddNode("Add", ["x", "c"], ["y"])
        .ToBytes();

    public static (string Name, byte[] Content)[] Files(float constant) => [("model.onnx", Create(constant))];

    /// <summary>Runs <c>x = [1, 2, 3]</c> through the V2 infer route at <paramref name="path"/> (e.g. <c>/v2/models/m@staging/infer</c>).</summary>
    public static async Task<(HttpStatusCode Status, float[] Output, JsonElement Body)> InferAsync(HttpClient client, string path)
    {
        const string body = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";
        var (status, json) = await Json.PostAsync(client, path, body);
        var output = status == HttpStatusCode.OK
            ? json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray()
            : [];
        return (status, output, json);
    }

    /// <summary>What <see cref="InferAsync"/> answers for a version built with <paramref name="constant"/>.</summary>
    public static float[] Expected(float constant) => [1 + constant, 2 + constant, 3 + constant];

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Digests of every blob file in the data folder's artifact store.</summary>
    public static string[] BlobsOnDisk(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, "artifacts", "sha256");
        return Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    /// <summary>Files and folders in a data sub-folder such as <c>uploads</c> or <c>artifacts/tmp</c> (none when it does not exist).</summary>
    public static string[] EntriesIn(string dataDirectory, string relative)
    {
        var path = Path.Combine(dataDirectory, relative);
        return Directory.Exists(path) ? Directory.GetFileSystemEntries(path) : [];
    }

    public static async Task<JsonElement> ListModelsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/models")).GetProperty("models");

    public static string Format(float[] values) => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
