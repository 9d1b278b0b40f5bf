using System.Text;

namespace Maas.UnitTests.Engines.Llama;

/// <summary>A minimal GGUF v3 writer for tests: metadata key/values and F32 tensors, nothing else.</summary>
/// <remarks>Kept in the test folder so the engine tests do not depend on the format library's writer.</remarks>
internal sealed class TestGgufWriter
{
    private const int Alignment = 32;

    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, long[] Shape, float[] Data)> _tensors = [];

    public TestGgufWriter Add(string key, string value) => AddValue(key, w => { w.Write(8u); WriteString(w, value); });

    public TestGgufWriter Add(string key, uint value) => AddValue(key, w => { w.Write(4u); w.Write(value); });

    public TestGgufWriter Add(string key, int value) => AddValue(key, w => { w.Write(5u); w.Write(value); });

    public TestGgufWriter Add(string key, float value) => AddValue(key, w => { w.Write(6u); w.Write(value); });

    public TestGgufWriter Add(string key, bool value) => AddValue(key, w => { w.Write(7u); w.Write(value); });

    public TestGgufWriter Add(string key, IReadOnlyList<string> values) => AddValue(key, w =>
    {
        w.Write(9u);
        w.Write(8u);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(w, value);
        }
    });

    public TestGgufWriter Add(string key, IReadOnlyList<float> values) => AddValue(key, w =>
    {
        w.Write(9u);
        w.Write(6u);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    });

    public TestGgufWriter Add(string key, IReadOnlyList<int> values) => AddValue(key, w =>
    {
        w.Write(9u);
        w.Write(5u);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    });

    /// <summary>Adds an F32 tensor; <paramref name="shape"/> is in GGUF order (fastest-varying dimension first).</summary>
    public TestGgufWriter AddTensor(string name, long[] shape, float[] data)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length)
        {
            throw new ArgumentException($"Tensor {name} has {data.Length} values for shape [{string.Join(", ", shape)}].", nameof(data));
        }

        _tensors.Add((name, shape, data));
        return this;
    }

    public void WriteTo(string path)
    {
        using var stream = File.Create(path);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }

        long offset = 0;
        foreach (var (name, shape, data) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)shape.Length);
            foreach (var dim in shape)
            {
                w.Write((ulong)dim);
            }

            w.Write(0u); // GGML_TYPE_F32
            w.Write((ulong)offset);
            offset = Align(offset + (data.Length * 4L));
        }

        Pad(w);
        var dataStart = stream.Position;
        foreach (var (_, _, data) in _tensors)
        {
            foreach (var value in data)
            {
                w.Write(value);
            }

            Pad(w, dataStart);
        }
    }

    private TestGgufWriter AddValue(string key, Action<BinaryWriter> write)
    {
        _metadata.Add((key, write));
        return this;
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w, long origin = 0)
    {
        var position = w.BaseStream.Position - origin;
        for (var i = position; i < Align(position); i++)
        {
            w.Write((byte)0);
        }
    }
}
