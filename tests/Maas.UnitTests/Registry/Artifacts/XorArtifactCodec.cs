using Maas.Registry.Artifacts;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>A non-identity codec for tests: stored bytes are the plain bytes XOR 0x5A, so a store that skips the codec shows.</summary>
internal sealed class XorArtifactCodec : IArtifactCodec
{
    public const byte Mask = 0x5A;

    public bool IsIdentity => false;

    public string? KeyId => "xor-test";

    public Stream OpenWriter(Stream stored) => new XorStream(stored);

    public Stream OpenReader(Stream stored) => new XorStream(stored);

    public static byte[] Apply(byte[] bytes) => [.. bytes.Select(b => (byte)(b ^ Mask))];

    private sealed class XorStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            for (var i = 0; i < read; i++)
            {
                buffer[offset + i] ^= Mask;
            }

            return read;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            var copy = buffer.AsSpan(offset, count).ToArray();
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i] ^= Mask;
            }

            inner.Write(copy, 0, copy.Length);
        }

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
