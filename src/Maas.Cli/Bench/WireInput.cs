namespace Maas.Cli.Bench;

/// <summary>One input of a bench request in raw form: little-endian elements back to back, BYTES elements each a
/// 4-byte little-endian length and the bytes (the form of the binary extension and gRPC raw contents).</summary>
internal sealed record WireInput(string Name, string Datatype, long[] Shape, byte[] Raw);
