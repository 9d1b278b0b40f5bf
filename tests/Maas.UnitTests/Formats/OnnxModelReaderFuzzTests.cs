using Maas.Core.Tensors;
using Maas.Formats.Onnx;

namespace Maas.UnitTests.Formats;

/// <summary>Damaged copies of a valid model either read or fail with <see cref="InvalidDataException"/>; nothing else.</summary>
/// <remarks>In memory rather than on disk: hundreds of variants, and the file path adds nothing to what is tested here.</remarks>
public sealed class OnnxModelReaderFuzzTests
{
    private static readonly byte[] Model = new OnnxModelBuilder()
        .WithProducer("fuzz", "1")
        .WithOpset(1, "com.example")
        .AddInput("ids", TensorDataType.Int64, [-1, -1])
        .AddInput("w", TensorDataType.Fp32, [2, 2])
        .AddInitializer("w", TensorDataType.Fp32, [2, 2], new[] { 1f, 2f, 3f, 4f })
        .AddInitializer("names", TensorDataType.Bytes, [2], new[] { "a", "b" })
        .AddOutput("y", TensorDataType.Fp16, [-1, 384])
        .AddNode("Cast", ["ids"], ["y"], OnnxAttribute.Int("to", 10))
        .ToBytes();

    [Fact]
    public void Read_EveryTruncation_ReadsOrThrowsInvalidData()
    {
        for (var length = 0; length < Model.Length; length++)
        {
            AssertReadsOrThrowsInvalidData(Model[..length], $"truncated to {length} bytes");
        }
    }

    [Fact]
    public void Read_RandomByteMutations_ReadOrThrowInvalidData()
    {
        var random = new Random(20240601);
        for (var i = 0; i < 2000; i++)
        {
            var mutant = (byte[])Model.Clone();
            for (var changes = random.Next(1, 4); changes > 0; changes--)
            {
                mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
            }

            AssertReadsOrThrowsInvalidData(mutant, $"mutant {i}");
        }
    }

    [Fact]
    public void Read_UntouchedModel_Reads()
    {
        using var stream = new MemoryStream(Model);

        var info = OnnxModelReader.Read(stream);

        Assert.Equal(["ids"], info.Inputs.Select(i => i.Name));
    }

    private static void AssertReadsOrThrowsInvalidData(byte[] bytes, string what)
    {
        using var stream = new MemoryStream(bytes);

        var ex = Record.Exception(() => OnnxModelReader.Read(stream));

        Assert.True(ex is null or InvalidDataException, $"{what}: {ex}");
    }
}
