using System.Text;
using LLama;
using Maas.Core.Engines;
using Maas.Core.Tensors;

namespace Maas.Engines.Llama;

/// <summary>A GGUF embedding model on llama.cpp: owns its weights and one embedding context, used one text at a time.</summary>
/// <remarks>The model's own pooling is used; a model that declares none yields one vector per token, which are
/// averaged here so every text still gets one vector.</remarks>
internal sealed class LlamaTextEmbedder(LLamaWeights weights, LLamaEmbedder embedder) : ITextEmbedder
{
    private readonly SemaphoreSlim _context = new(1, 1);

    public int Dimensions => embedder.EmbeddingSize;

    public long MemoryBytes => (long)weights.SizeInBytes;

    public IReadOnlyList<TensorSpec> Inputs { get; } = [];

    public IReadOnlyList<TensorSpec> Outputs { get; } = [];

    public async ValueTask<(float[] Vectors, int TokenCount)> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var dims = Dimensions;
        var vectors = new float[texts.Count * dims];
        var tokens = 0;
        await _context.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < texts.Count; i++)
            {
                tokens += weights.Tokenize(texts[i], true, false, Encoding.UTF8).Length;
                var rows = await embedder.GetEmbeddings(texts[i], cancellationToken).ConfigureAwait(false);
                var target = vectors.AsSpan(i * dims, dims);
                foreach (var row in rows)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(target, row, target);
                }

                System.Numerics.Tensors.TensorPrimitives.Divide(target, Math.Max(rows.Count, 1), target);
            }
        }
        finally
        {
            _context.Release();
        }

        return (vectors, tokens);
    }

    public ValueTask DisposeAsync()
    {
        embedder.Dispose();
        weights.Dispose();
        _context.Dispose();
        return ValueTask.CompletedTask;
    }
}
