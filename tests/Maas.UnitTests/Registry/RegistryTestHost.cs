using System.Text;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry;

/// <summary>A registry over its own temporary data folder and a real database (a SQLite file, or a fresh PostgreSQL
/// database of the run's cluster), built through AddMaasRegistry.</summary>
internal sealed class RegistryTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly bool _ownsDirectory;
    private readonly RegistryBackend _backend;

    private RegistryTestHost(RegistryBackend backend, string dataDirectory, string? database, bool ownsDirectory, ILoggerProvider? logs = null, Action<RegistryOptions>? configure = null)
    {
        _backend = backend;
        DataDirectory = dataDirectory;
        Database = database;
        _ownsDirectory = ownsDirectory;
        var services = new ServiceCollection();
        services.AddSingleton<ISignatureReader>(Signatures);
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        services.AddMaasRegistry(o => (o.DataDirectory, o.Database) = (dataDirectory, database));
        if (configure is not null)
        {
            services.Configure(configure);
        }
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ModelRegistry>();
    }

    public string DataDirectory { get; }

    /// <summary>The PostgreSQL connection string, or null for the data folder's SQLite file.</summary>
    public string? Database { get; }

    public ModelRegistry Registry { get; }

    public FakeSignatureReader Signatures { get; } = new();

    public IServiceProvider Services => _provider;

    public string BlobRoot => Path.Combine(DataDirectory, "artifacts", "sha256");

    public string TempRoot => Path.Combine(DataDirectory, "artifacts", "tmp");

    /// <param name="logs">Receives the registry's log entries, when a test checks them.</param>
    public static RegistryTestHost Create(ILoggerProvider? logs = null) => Create(RegistryBackend.Sqlite, logs);

    /// <summary>A host whose registry options <paramref name="configure"/> adjusts, e.g. to choose the artifact store (S3).</summary>
    public static RegistryTestHost CreateWith(Action<RegistryOptions> configure, ILoggerProvider? logs = null) =>
        new(RegistryBackend.Sqlite, NewDataDirectory(), null, ownsDirectory: true, logs, configure);

    /// <summary>Like <see cref="Open"/>, with registry options adjusted by <paramref name="configure"/>.</summary>
    public static RegistryTestHost OpenWith(string dataDirectory, Action<RegistryOptions> configure) =>
        new(RegistryBackend.Sqlite, dataDirectory, null, ownsDirectory: false, logs: null, configure);

    /// <param name="backend">The metadata database: a new one is made for this host and dropped with it.</param>
    /// <param name="logs">Receives the registry's log entries, when a test checks them.</param>
    public static RegistryTestHost Create(RegistryBackend backend, ILoggerProvider? logs = null) =>
        new(backend, NewDataDirectory(), backend.NewDatabase(), ownsDirectory: true, logs);

    /// <summary>A host over an existing folder (and database, from <see cref="RegistryBackend.NewDatabase"/>) that the
    /// caller deletes, e.g. to reopen the same data, or to run two registries (replicas) over one database.</summary>
    public static RegistryTestHost Open(string dataDirectory, string? database = null, RegistryBackend? backend = null) =>
        new(backend ?? RegistryBackend.Sqlite, dataDirectory, database, ownsDirectory: false);

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
            _backend.DropDatabase(Database);
        }
    }
}
