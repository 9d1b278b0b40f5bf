using Maas.Core.Engines;
using Maas.Serving.Batching;
using Maas.Serving.Processing;

namespace Maas.Serving.Pipelines;

/// <summary>One request per call for a model that embeds texts itself (llama.cpp embeds one text at a time, so merging
/// requests would gain nothing and would lose each request's own token count).</summary>
internal sealed class TextEmbedderBatchExecutor(ITextEmbedder embedder) : IBatchExecutor<IReadOnlyList<string>, EmbeddingResult>
{
    public int Rows(IReadOnlyList<string> request) => request.Count;

    public bool CanJoin(IReadOnlyList<string> head, IReadOnlyList<string> candidate) => false;

    public async ValueTask<IReadOnlyList<EmbeddingResult>> RunAsync(IReadOnlyList<IReadOnlyList<string>> batch, CancellationToken cancellationToken)
    {
        var results = new EmbeddingResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var texts = batch[i];
            var (vectors, tokens) = await embedder.EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
            Pooling.L2Normalize(vectors, texts.Count, embedder.Dimensions);
            results[i] = new EmbeddingResult(vectors, texts.Count, embedder.Dimensions, tokens);
        }

        return results;
    }
}
