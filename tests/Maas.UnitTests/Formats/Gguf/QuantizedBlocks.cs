using System.Buffers.Binary;
using Maas.Formats.Gguf;

namespace Maas.UnitTests.Formats.Gguf;

/// <summary>Reads Q8_0 / Q4_0 tensors back to floats by the public ggml block layout, independently of the writer.</summary>
internal static class QuantizedBlocks
{
    public static float[] Dequantize(string path, GgufFile file, GgufTensorInfo tensor)
    {
        var bytes = new byte[tensor.ByteSize];
        using (var stream = File.OpenRead(path))
        {
            stream.Position = file.DataOffset + tensor.Offset;
            stream.ReadExactly(bytes);
        }

        if (tensor.Type == GgmlType.F32)
        {
            var floats = new float[tensor.ElementCount];
            Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
            return floats;
        }

        var values = new float[tensor.ElementCount];
        var blockBytes = tensor.Type == GgmlType.Q8_0 ? 34 : 18;
        for (var block = 0; block < values.Length / 32; block++)
        {
            var data = bytes.AsSpan(block * blockBytes, blockBytes);
            var d = (float)BinaryPrimitives.ReadHalfLittleEndian(data);
            for (var j = 0; j < 32; j++)
            {
                values[(block * 32) + j] = tensor.Type == GgmlType.Q8_0
                    ? (sbyte)data[2 + j] * d
                    : ((j < 16 ? data[2 + j] & 0x0F : data[2 + j - 16] >> 4) - 8) * d;
            }
        }

        return values;
    }

    /// <summary>The same model with every tensor as F32: what llama.cpp should compute from the quantised file.</summary>
    public static void WriteF32Copy(string source, string target)
    {
        var file = GgufReader.Read(source);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata)
        {
            writer.Set(key, value);
        }

        writer.SetUInt32(GgufKeys.FileType, 0);
        foreach (var tensor in file.Tensors)
        {
            writer.AddF32Tensor(tensor.Name, tensor.Dimensions, Dequantize(source, file, tensor));
        }

        writer.Write(target);
    }
}
