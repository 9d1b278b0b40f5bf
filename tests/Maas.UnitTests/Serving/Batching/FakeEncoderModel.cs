using System.Collections.Concurrent;
using Maas.Core.Engines;
using Maas.Core.Inference;
using Maas.Core.Tensors;

namespace Maas.UnitTests.Serving.Batching;

/// <summary>A BERT-shaped fake encoder: token vectors <c>[id, position, 1]</c> where the attention mask is set and
/// huge values on padding, so any padding that leaked into pooling would show; records each call's shape.</summary>
internal sealed class FakeEncoderModel : ITensorModel
{
    public IReadOnlyList<TensorSpec> Inputs { get; } =
    [
        new("input_ids", TensorDataType.Int64, [-1, -1]),
        new("attention_mask", TensorDataType.Int64, [-1, -1]),
        new("token_type_ids", TensorDataType.Int64, [-1, -1]),
    ];

    public IReadOnlyList<TensorSpec> Outputs { get; } = [new("last_hidden_state", TensorDataType.Fp32, [-1, -1, 3])];

    public long MemoryBytes => 0;

    public ConcurrentQueue<long[]> Shapes { get; } = new();

    public ValueTask<InferenceResult> RunAsync(IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken = default)
    {
        var ids = inputs.Single(i => i.Name == "input_ids");
        var mask = inputs.Single(i => i.Name == "attention_mask").AsSpan<long>();
        var (rows, length) = ((int)ids.Shape[0], (int)ids.Shape[1]);
        Shapes.Enqueue([rows, length]);
        var values = new float[rows * length * 3];
        var idSpan = ids.AsSpan<long>();
        for (var i = 0; i < rows * length; i++)
        {
            float[] vector = mask[i] == 1 ? [idSpan[i], i % length, 1] : [1e6f, -1e6f, 1e6f];
            vector.CopyTo(values, i * 3);
        }

        return ValueTask.FromResult(new InferenceResult([Tensor.Create("last_hidden_state", [rows, length, 3], values)]));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
