namespace Maas.Cli.Client;

/// <summary>One input or output of a model's signature; <c>-1</c> in the shape marks a variable dimension.</summary>
internal sealed record TensorInfo(string Name, string DataType, IReadOnlyList<long> Shape);
