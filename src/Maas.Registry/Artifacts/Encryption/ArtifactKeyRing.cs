using System.Buffers.Text;
using System.Collections.Frozen;

namespace Maas.Registry.Artifacts.Encryption;

/// <summary>The storage keys this process knows, by id, and the one new blobs are written with.</summary>
internal sealed class ArtifactKeyRing
{
    public const int KeySize = 32;
    public const int MaxKeyIdLength = 64;

    private readonly FrozenDictionary<string, byte[]> _keys;

    public ArtifactKeyRing(IReadOnlyDictionary<string, byte[]> keys, string activeKeyId)
    {
        foreach (var (id, key) in keys)
        {
            if (!IsValidKeyId(id))
            {
                throw new InvalidOperationException($"Storage key id '{id}' is not valid: use 1-{MaxKeyIdLength} letters, digits, '.', '_' or '-'.");
            }

            if (key.Length != KeySize)
            {
                throw new InvalidOperationException($"Storage key '{id}' is {key.Length} bytes; AES-256 needs {KeySize}.");
            }
        }

        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
        ActiveKeyId = _keys.ContainsKey(activeKeyId)
            ? activeKeyId
            : throw new InvalidOperationException($"The active storage key '{activeKeyId}' is not among the configured keys ({string.Join(", ", _keys.Keys.Order(StringComparer.Ordinal))}).");
    }

    public string ActiveKeyId { get; }

    public IEnumerable<string> KeyIds => _keys.Keys;

    public byte[] ActiveKey => _keys[ActiveKeyId];

    public bool TryGetKey(string id, out byte[] key) => _keys.TryGetValue(id, out key!);

    public static bool IsValidKeyId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxKeyIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Builds the ring from configuration; null when encryption is not configured.</summary>
    /// <exception cref="InvalidOperationException">A key or the key file is unusable (the message says which and why).</exception>
    public static ArtifactKeyRing? Load(ArtifactEncryptionOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return null;
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, value) in options.Keys)
        {
            keys[id] = Decode(id, value, "Maas:Registry:Encryption:Keys");
        }

        string? lastFromFile = null;
        if (!string.IsNullOrWhiteSpace(options.KeyFile))
        {
            var path = Path.GetFullPath(options.KeyFile, dataDirectory);
            foreach (var (id, key) in ReadKeyFile(path))
            {
                if (keys.ContainsKey(id))
                {
                    throw new InvalidOperationException($"Storage key '{id}' is defined both in configuration and in the key file.");
                }

                keys[id] = key;
                lastFromFile = id;
            }
        }

        if (keys.Count == 0)
        {
            throw new InvalidOperationException("Encryption at rest is configured but no storage key was found.");
        }

        var active = options.ActiveKeyId
            ?? (keys.Count == 1 ? keys.Keys.Single() : lastFromFile is not null && options.Keys.Count == 0 ? lastFromFile : null)
            ?? throw new InvalidOperationException("Several storage keys are configured: set Maas:Registry:Encryption:ActiveKeyId to the one new blobs use.");
        return new ArtifactKeyRing(keys, active);
    }

    /// <summary>Lines <c>ID=BASE64</c>; blank lines and <c>#</c> comments are skipped. The last key is the active one
    /// unless configuration names another.</summary>
    private static List<(string Id, byte[] Key)> ReadKeyFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The storage key file '{path}' does not exist.");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                         | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                throw new InvalidOperationException($"The storage key file '{path}' is readable by others; make it private (chmod 600).");
            }
        }

        var keys = new List<(string, byte[])>();
        var number = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidOperationException($"The storage key file '{path}' line {number} is not ID=BASE64.");
            }

            var id = line[..equals].Trim();
            if (keys.Any(k => k.Item1 == id))
            {
                throw new InvalidOperationException($"The storage key file '{path}' defines key '{id}' twice.");
            }

            keys.Add((id, Decode(id, line[(equals + 1)..].Trim(), $"key file line {number}")));
        }

        return keys;
    }

    private static byte[] Decode(string id, string value, string where)
    {
        if (!IsValidKeyId(id))
        {
            throw new InvalidOperationException($"Storage key id '{id}' ({where}) is not valid: use 1-{MaxKeyIdLength} letters, digits, '.', '_' or '-'.");
        }

        if (!Base64.IsValid(value, out var length) || length != KeySize)
        {
            throw new InvalidOperationException($"Storage key '{id}' ({where}) must be base64 of {KeySize} random bytes (e.g. 'openssl rand -base64 32').");
        }

        return Convert.FromBase64String(value);
    }
}
