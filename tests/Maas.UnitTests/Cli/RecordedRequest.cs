namespace Maas.UnitTests.Cli;

/// <summary>One request the fake server received; multipart bodies are split into fields and files.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    string? ContentType,
    string Body,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyList<RecordedFile> Files);
