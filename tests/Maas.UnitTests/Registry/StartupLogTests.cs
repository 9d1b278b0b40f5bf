using Maas.UnitTests.Logging;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry;

public sealed class StartupLogTests
{
    [Fact]
    public async Task InitializeAsync_Ready_LogsDataFolderDatabaseAndArtifactStorePaths()
    {
        using var logs = new RecordingLoggerProvider();
        await using var host = RegistryTestHost.Create(logs);

        await host.Registry.InitializeAsync();

        var ready = Assert.Single(logs.Records, r => r.EventId == 1100);
        Assert.Equal(LogLevel.Information, ready.Level);
        var data = Path.GetFullPath(host.DataDirectory);
        Assert.Contains($"data folder {data}", ready.Message, StringComparison.Ordinal);
        Assert.Contains($"database {Path.Combine(data, "registry.db")}", ready.Message, StringComparison.Ordinal);
        Assert.Contains($"artifact store folder at {Path.Combine(data, "artifacts")}", ready.Message, StringComparison.Ordinal);
    }
}
