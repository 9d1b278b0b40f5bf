using Maas.Registry.Artifacts.Encryption;
using Microsoft.Extensions.Logging;

namespace Maas.Registry.Artifacts;

/// <summary>Picks the codec from configuration: AES-256-GCM when storage keys are configured, plain otherwise.</summary>
internal static class ArtifactCodecs
{
    public static IArtifactCodec Create(RegistryOptions options, RegistryPaths paths, ILogger logger)
    {
        var keys = ArtifactKeyRing.Load(options.Encryption, paths.DataDirectory);
        if (keys is null)
        {
            return new PlainArtifactCodec();
        }

        ArtifactsLog.EncryptionOn(logger, keys.ActiveKeyId, keys.KeyIds.Count());
        return new AesGcmArtifactCodec(keys);
    }
}
