using Maas.Core.Errors;
using Maas.Registry.Abstractions;
using Maas.Tests.Shared;
using Maas.UnitTests.Logging;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry;

/// <summary>Runs on each database × artifact store pair (the nested classes); each test gets its own database and store.</summary>
public abstract class PushLoggingTests(RegistryBackend backend)
{
    public sealed class SqliteFolder() : PushLoggingTests(RegistryBackend.SqliteFolder);

    [Collection(PostgresCollection.Name)]
    public sealed class PostgresS3(PostgresCluster cluster, S3rverFixture s3) : PushLoggingTests(RegistryBackend.PostgresS3(cluster, s3));

#if ALL_BACKEND_PAIRS
    [Collection(PostgresCollection.Name)]
    public sealed class PostgresFolder(PostgresCluster cluster) : PushLoggingTests(RegistryBackend.PostgresFolder(cluster));
#endif

    [Collection(S3rverCollection.Name)]
    public sealed class SqliteS3(S3rverFixture s3) : PushLoggingTests(RegistryBackend.SqliteS3(s3));

    [Fact]
    public async Task PushAsync_NoModelFile_LogsOneLineWithoutStackTrace()
    {
        using var logs = new RecordingLoggerProvider();
        await using var host = await RegistryTestHost.CreateAsync(backend, logs);
        var request = new PushRequest { Model = "bert", Files = [RegistryTestHost.File("weights.bin", "not a model")], Actor = "tester" };

        var refused = await Assert.ThrowsAsync<MaasException>(() => host.Registry.PushAsync(request));

        var failures = logs.Records.Where(r => r.Message.Contains("Push to bert", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(failures);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Null(line.Exception);
        Assert.Contains(refused.Message, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line.Message);
    }

    [Fact]
    public async Task PushAsync_UnexpectedFailure_LogsWarningWithException()
    {
        using var logs = new RecordingLoggerProvider();
        await using var host = await RegistryTestHost.CreateAsync(backend, logs);
        var request = new PushRequest { Model = "bert", Files = [new PushFile("model.onnx", new FailingStream(1000))], Actor = "tester" };

        await Assert.ThrowsAsync<IOException>(() => host.Registry.PushAsync(request));

        var line = Assert.Single(logs.Records, r => r.Message.Contains("Push to bert", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.IsType<IOException>(line.Exception);
    }
}
