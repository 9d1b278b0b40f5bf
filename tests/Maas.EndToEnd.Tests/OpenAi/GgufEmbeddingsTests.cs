using System.ClientModel;
using System.Net;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Formats.Gguf;
using OpenAI;
using OpenAI.Embeddings;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>A GGUF embedding model (one that declares a pooling type) served on llama.cpp through /v1/embeddings and /v2.</summary>
public sealed class GgufEmbeddingsTests
{
    [Fact]
    public async Task Embeddings_GgufWithPooling_ReturnsNormalisedVectorsPerText()
    {
        var folder = TempFolder.Create("maas-e2e-gguf-embed");
        try
        {
            var path = Path.Combine(folder, "embed.gguf");
            TinyLlamaGguf.CreateWriter(new TinyLlamaOptions { Seed = 7 })
                .SetUInt32(GgufKeys.ForArchitecture("llama", GgufKeys.PoolingType), 1)
                .Write(path);
            await using var server = await MaasTestServer.StartAsync();
            await server.PushAsync("tiny-embed", [("embed.gguf", await File.ReadAllBytesAsync(path))]);

            var (_, details) = await Json.GetAsync(server.Client, "/api/models/tiny-embed");
            Assert.Equal("embeddings", details.GetProperty("versions")[0].GetProperty("manifest").GetProperty("task").GetString());

            var client = new EmbeddingClient("tiny-embed", new ApiKeyCredential("unused"),
                new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1") });
            var result = await client.GenerateEmbeddingsAsync(["hello world", "the cat", "hello world"]);

            var vectors = result.Value.Select(e => e.ToFloats().ToArray()).ToList();
            Assert.All(vectors, v => Assert.Equal(64, v.Length));
            Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3));
            Assert.Equal(vectors[0], vectors[2]);
            Assert.NotEqual(vectors[0], vectors[1]);

            var (status, v2) = await Json.PostAsync(server.Client, "/v2/models/tiny-embed/infer",
                """{"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["hello world"]}]}""");
            Assert.Equal(HttpStatusCode.OK, status);
            var data = v2.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(vectors[0], data);

            var (chatStatus, _) = await Json.PostAsync(server.Client, "/v1/chat/completions",
                """{"model": "tiny-embed", "messages": [{"role": "user", "content": "hi"}]}""");
            Assert.Equal(HttpStatusCode.BadRequest, chatStatus);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}
