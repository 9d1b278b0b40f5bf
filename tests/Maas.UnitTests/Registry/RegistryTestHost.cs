using System.Text;
using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Push;
using Maas.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Registry;

/// <summary>A registry over its own temporary data folder and a real database and artifact store (a
/// <see cref="RegistryStorage"/> of a <see cref="RegistryBackend"/>), built through AddMaasRegistry.</summary>
internal sealed class RegistryTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly bool _owns;

    private RegistryTestHost(RegistryStorage storage, string dataDirectory, bool owns, ILoggerProvider? logs = null, Action<RegistryOptions>? configure = null)
    {
        Storage = storage;
        DataDirectory = dataDirectory;
        Blobs = storage.Probe(dataDirectory);
        _owns = owns;
        var services = new ServiceCollection();
        services.AddSingleton<ISignatureReader>(Signatures);
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        services.AddMaasRegistry(o =>
        {
            o.DataDirectory = dataDirectory;
            storage.Configure(o);
        });
        if (configure is not null)
        {
            services.Configure(configure);
        }
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ModelRegistry>();
    }

    public string DataDirectory { get; }

    public RegistryStorage Storage { get; }

    /// <summary>The PostgreSQL connection string, or null for the data folder's SQLite file.</summary>
    public string? Database => Storage.Database;

    /// <summary>The artifact store as tests see it behind the registry's back (blobs, staging), whichever store it is.</summary>
    public ArtifactStoreProbe Blobs { get; }

    public ModelRegistry Registry { get; }

    public FakeSignatureReader Signatures { get; } = new();

    public IServiceProvider Services => _provider;

    /// <summary>SQLite and the folder store in a new data folder.</summary>
    /// <param name="logs">Receives the registry's log entries, when a test checks them.</param>
    public static RegistryTestHost Create(ILoggerProvider? logs = null) => new(RegistryStorage.SqliteFolder, NewDataDirectory(), owns: true, logs);

    /// <summary>A host whose registry options <paramref name="configure"/> adjusts, e.g. to choose the artifact store (S3).</summary>
    public static RegistryTestHost CreateWith(Action<RegistryOptions> configure, ILoggerProvider? logs = null) =>
        new(RegistryStorage.SqliteFolder, NewDataDirectory(), owns: true, logs, configure);

    /// <summary>Like <see cref="Open"/>, with registry options adjusted by <paramref name="configure"/>.</summary>
    public static RegistryTestHost OpenWith(string dataDirectory, Action<RegistryOptions> configure) =>
        new(RegistryStorage.SqliteFolder, dataDirectory, owns: false, logs: null, configure);

    /// <summary>A host with a new database and artifact store of <paramref name="backend"/>, dropped with it.</summary>
    /// <param name="backend">The database and artifact store pair.</param>
    /// <param name="logs">Receives the registry's log entries, when a test checks them.</param>
    public static async Task<RegistryTestHost> CreateAsync(RegistryBackend backend, ILoggerProvider? logs = null) =>
        new(await backend.NewStorageAsync(), NewDataDirectory(), owns: true, logs);

    /// <summary>A host over an existing folder and storage (from <see cref="RegistryBackend.NewStorageAsync"/>) that the
    /// caller deletes, e.g. to reopen the same data, or to run two registries (replicas) over one database and store.</summary>
    public static RegistryTestHost Open(string dataDirectory, RegistryStorage? storage = null) =>
        new(storage ?? RegistryStorage.SqliteFolder, dataDirectory, owns: false);

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

    /// <summary>Digests of the blobs in the artifact store.</summary>
    public Task<IReadOnlyList<string>> StoredBlobsAsync() => Blobs.BlobsAsync();

    /// <summary>What is left in the store's staging folder.</summary>
    public IReadOnlyList<string> StagingEntries() => Blobs.StagingEntries();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        if (_owns)
        {
            DeleteDirectory(DataDirectory);
            Storage.Drop();
        }
    }
}
