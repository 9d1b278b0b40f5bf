namespace Maas.Server.Protocols.V2;

/// <summary>A requested output and its parameters: <c>binary_data</c> (answer it in binary) and <c>classification</c>
/// (answer the top K classes as <c>"score:index[:label]"</c> strings).</summary>
internal sealed record V2OutputRequest(string Name, bool? Binary, int? Classification);
