using System.Text;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry;

/// <summary>A registry over its own temporary data folder and a real SQLite file, built through AddMaasRegistry.</summary>
internal sealed class RegistryTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly bool _ownsDirectory;

    private RegistryTestHost(string dataDirectory, bool ownsDirectory, ILoggerProvider? logs = null, Action<RegistryOptions>? configure = null)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        var services = new ServiceCollection();
        services.AddSingleton<ISignatureReader>(Signatures);
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        services.AddMaasRegistry(o => o.DataDirectory = dataDirectory);
        if (configure is not null)
        {
            services.Configure(configure);
        }
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ModelRegistry>();
    }

    public string DataDirectory { get; }

    public ModelRegistry Registry { get; }

    public FakeSignatureReader Signatures { get; } = new();

    public IServiceProvider Services => _provider;

    public string BlobRoot => Path.Combine(DataDirectory, "artifacts", "sha256");

    public string TempRoot => Path.Combine(DataDirectory, "artifacts", "tmp");

    /// <param name="logs">Receives the registry's log entries, when a test checks them.</param>
    public static RegistryTestHost Create(ILoggerProvider? logs = null) => new(NewDataDirectory(), ownsDirectory: true, logs);

    /// <summary>A host whose registry options <paramref name="configure"/> adjusts, e.g. to choose the artifact store (S3).</summary>
    public static RegistryTestHost CreateWith(Action<RegistryOptions> configure, ILoggerProvider? logs = null) =>
        new(NewDataDirectory(), ownsDirectory: true, logs, configure);

    /// <summary>Like <see cref="Open"/>, with registry options adjusted by <paramref name="configure"/>.</summary>
    public static RegistryTestHost OpenWith(string dataDirectory, Action<RegistryOptions> configure) =>
        new(dataDirectory, ownsDirectory: false, logs: null, configure);

    /// <summary>A host over an existing folder that the caller deletes, e.g. to reopen the same data.</summary>
    public static RegistryTestHost Open(string dataDirectory) => new(dataDirectory, ownsDirectory: false);

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "maas-registry-tests", Guid.NewGuid().ToString("N"));

    public static void DeleteDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            System.IO.File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(path, recursive: true);
    }

    public static PushFile File(string name, string content) => new(name, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    public Task<ModelVersionInfo> PushAsync(string model, string content = "weights", string? alias = null, string actor = "tester") =>
        Registry.PushAsync(new PushRequest { Model = model, Files = [File("model.onnx", content)], Alias = alias, Actor = actor });

    public IReadOnlyList<string> BlobFiles() =>
        Directory.Exists(BlobRoot) ? Directory.GetFiles(BlobRoot, "*", SearchOption.AllDirectories) : [];

    public IReadOnlyList<string> TempFiles() =>
        Directory.Exists(TempRoot) ? Directory.GetFileSystemEntries(TempRoot) : [];

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        if (_ownsDirectory)
        {
            DeleteDirectory(DataDirectory);
        }
    }
}
