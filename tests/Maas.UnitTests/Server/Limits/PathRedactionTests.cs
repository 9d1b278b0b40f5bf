using Maas.Core.Errors;

namespace Maas.UnitTests.Server.Limits;

public sealed class PathRedactionTests
{
    [Fact]
    public void Redact_OnnxRuntimeLoadMessageWithArtifactPath_KeepsOnlyFileName()
    {
        var folder = Directory.CreateTempSubdirectory("maas-redact");
        try
        {
            var blob = Path.Combine(folder.FullName, "artifacts", "sha256", "ab", "abcdef0123");
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            var message = $"[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from {blob} failed:Protobuf parsing failed.";

            var redacted = PathRedaction.Redact(message);

            Assert.Equal("[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from abcdef0123 failed:Protobuf parsing failed.", redacted);
            Assert.DoesNotContain(folder.FullName, redacted, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Redact_QuotedPathAndTempFile_RemovesFolders()
    {
        var temp = Path.Combine(Path.GetTempPath(), "maas-upload-123.tmp");

        var redacted = PathRedaction.Redact($"Could not read '{temp}' (disk full)");

        Assert.Equal("Could not read 'maas-upload-123.tmp' (disk full)", redacted);
    }

    [Theory]
    [InlineData("A text-generation model is served through /v1/completions and /v1/chat/completions.")]
    [InlineData("See https://example.com/docs/limits for the limits.")]
    [InlineData("Model adder/v2 is not a valid name.")]
    [InlineData("Nothing to redact here.")]
    public void Redact_RoutesUrlsAndNames_LeftAlone(string message)
    {
        Assert.Equal(message, PathRedaction.Redact(message));
    }
}
