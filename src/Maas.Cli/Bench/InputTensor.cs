namespace Maas.Cli.Bench;

/// <summary>One input of a model as its <c>/v2</c> metadata describes it (<c>-1</c> for a variable dimension).</summary>
internal sealed record InputTensor(string Name, string Datatype, IReadOnlyList<long> Shape);
