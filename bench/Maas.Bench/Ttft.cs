namespace Maas.Bench;

/// <summary>One streamed chat request: time to its first content chunk (or to its last chunk when it produced no
/// text) and the usage the server reported.</summary>
internal readonly record struct Ttft(double Milliseconds, int PromptTokens, int CachedTokens);
