namespace Maas.Optimization.Quantization.Int4;

/// <summary>Block-wise 4-bit quantization of a [K, N] weight in the layout of ONNX Runtime's
/// <c>com.microsoft.MatMulNBits</c> (bits = 4).</summary>
/// <remarks>
/// For output column n and block b (rows b·block_size … (b+1)·block_size − 1, zero-padded past K):
/// <c>B[n, b, j/2]</c> holds element j in its low nibble when j is even and its high nibble when odd;
/// <c>scales[n, b]</c>; packed zero points <c>[N, ceil(blocks / 2)]</c>, block b in byte b/2, low nibble first.
/// Dequantized: <c>(q − zero_point) · scale</c>. Symmetric blocks use the operator's default zero point 8 and a signed
/// scale that maps the block's largest-magnitude value to −8 exactly (all of [−8, 7] is used); asymmetric blocks map
/// [min(0, lo), max(0, hi)] onto [0, 15].
/// </remarks>
internal sealed class Int4Blocks
{
    private Int4Blocks(byte[] data, float[] scales, byte[]? zeroPoints, int blocks, int blobSize)
    {
        Data = data;
        Scales = scales;
        ZeroPoints = zeroPoints;
        BlocksPerColumn = blocks;
        BlobSize = blobSize;
    }

    public byte[] Data { get; }

    public float[] Scales { get; }

    public byte[]? ZeroPoints { get; }

    public int BlocksPerColumn { get; }

    public int BlobSize { get; }

    public static Int4Blocks Quantize(ReadOnlySpan<float> w, int k, int n, int blockSize, bool symmetric)
    {
        var blocks = (k + blockSize - 1) / blockSize;
        var blobSize = blockSize / 2;
        var data = new byte[n * blocks * blobSize];
        var scales = new float[n * blocks];
        var zeroPointBytes = (blocks + 1) / 2;
        var zeroPoints = symmetric ? null : new byte[n * zeroPointBytes];
        var block = new float[blockSize];
        for (var col = 0; col < n; col++)
        {
            for (var b = 0; b < blocks; b++)
            {
                Array.Clear(block);
                var rows = Math.Min(blockSize, k - (b * blockSize));
                for (var j = 0; j < rows; j++)
                {
                    block[j] = w[((b * blockSize) + j) * n + col];
                }

                var (scale, zeroPoint) = symmetric ? SymmetricParameters(block) : AsymmetricParameters(block);
                scales[(col * blocks) + b] = scale;
                if (zeroPoints is not null)
                {
                    zeroPoints[(col * zeroPointBytes) + (b / 2)] |= (byte)(zeroPoint << (4 * (b % 2)));
                }

                var blob = data.AsSpan(((col * blocks) + b) * blobSize, blobSize);
                for (var j = 0; j < blockSize; j++)
                {
                    var q = (int)Math.Clamp(MathF.Round(block[j] / scale, MidpointRounding.ToEven) + zeroPoint, 0, 15);
                    blob[j / 2] |= (byte)(q << (4 * (j % 2)));
                }
            }
        }

        return new Int4Blocks(data, scales, zeroPoints, blocks, blobSize);
    }

    private static (float Scale, int ZeroPoint) SymmetricParameters(float[] block)
    {
        var extreme = 0f;
        foreach (var v in block)
        {
            if (MathF.Abs(v) > MathF.Abs(extreme))
            {
                extreme = v;
            }
        }

        return (extreme == 0f || !float.IsFinite(extreme) ? 1f : extreme / -8f, 8);
    }

    private static (float Scale, int ZeroPoint) AsymmetricParameters(float[] block)
    {
        var lo = MathF.Min(0f, block.Min());
        var hi = MathF.Max(0f, block.Max());
        var scale = (hi - lo) / 15f;
        if (scale == 0f || !float.IsFinite(scale))
        {
            return (1f, 0);
        }

        return (scale, Math.Clamp((int)MathF.Round(-lo / scale, MidpointRounding.ToEven), 0, 15));
    }
}
