using Maas.Registry;
using Maas.Registry.Abstractions;
using Maas.Registry.Artifacts;
using Maas.Registry.Metadata;
using Maas.Registry.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.UnitTests.Registry.Artifacts;

/// <summary>A registry over a data folder with the given options (encryption, cache), built through AddMaasRegistry.</summary>
internal sealed class ArtifactTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public ArtifactTestHost(string dataDirectory, Action<RegistryOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        DataDirectory = dataDirectory;
        var collection = new ServiceCollection();
        collection.AddSingleton<ISignatureReader>(new FakeSignatureReader());
        services?.Invoke(collection);
        collection.AddMaasRegistry(o =>
        {
            o.DataDirectory = dataDirectory;
            configure?.Invoke(o);
        });
        _provider = collection.BuildServiceProvider();

        // What a host's ValidateOnStart would do.
        _ = _provider.GetRequiredService<IOptions<RegistryOptions>>().Value;
        Registry = _provider.GetRequiredService<ModelRegistry>();
    }

    public string DataDirectory { get; }

    public ModelRegistry Registry { get; }

    public IServiceProvider Services => _provider;

    public IStorageRotation Rotation => _provider.GetRequiredService<IStorageRotation>();

    public string BlobPath(string sha256) => Path.Combine(DataDirectory, "artifacts", "sha256", sha256[..2], sha256);

    public string CachePath(string sha256) => Path.Combine(DataDirectory, "cache", "sha256", sha256[..2], sha256);

    public static Action<RegistryOptions> Keys(string active, params (string Id, byte[] Key)[] keys) => o =>
    {
        foreach (var (id, key) in keys)
        {
            o.Encryption.Keys[id] = Convert.ToBase64String(key);
        }

        o.Encryption.ActiveKeyId = active;
    };

    public async Task<ModelVersionInfo> PushAsync(string model, string content) =>
        await Registry.PushAsync(new PushRequest { Model = model, Files = [RegistryTestHost.File("model.onnx", content)], Actor = "tester" });

    public async Task<Dictionary<string, string?>> BlobKeysAsync()
    {
        var session = await DbSession.OpenAsync(_provider.GetRequiredService<IMetadataDatabase>(), CancellationToken.None);
        await using (session)
        {
            return (await BlobKeys.AllAsync(session, CancellationToken.None)).ToDictionary(r => r.Sha256, r => r.KeyId);
        }
    }

    /// <summary>Flips one byte of a stored blob (as an attacker with disk access would).</summary>
    public void Tamper(string sha256, int offset)
    {
        var path = BlobPath(sha256);
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
