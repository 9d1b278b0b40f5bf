namespace Maas.UnitTests.Cli;

/// <summary>A file part of a multipart request as the fake server received it.</summary>
internal sealed record RecordedFile(string Name, string FileName, string? ContentType, byte[] Content);
