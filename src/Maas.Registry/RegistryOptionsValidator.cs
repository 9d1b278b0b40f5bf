using Microsoft.Extensions.Options;

namespace Maas.Registry;

/// <summary>Rejects options the registry cannot start with, so the host fails at start-up rather than on first push.</summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Registry DataDirectory must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseFile))
        {
            failures.Add("Registry DatabaseFile must not be empty.");
        }
        else if (options.DatabaseFile.EndsWith(Path.DirectorySeparatorChar) || options.DatabaseFile.EndsWith(Path.AltDirectorySeparatorChar))
        {
            failures.Add($"Registry DatabaseFile '{options.DatabaseFile}' names a folder, not a file.");
        }

        failures.AddRange(Artifacts.ArtifactStoreSelection.Validate(options));

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Registry BusyTimeout must be between zero (exclusive) and 10 minutes.");
        }

        if (options.CacheSize <= 0)
        {
            failures.Add("Registry CacheSize must be a positive number of bytes.");
        }

        if (options.Encryption is { } encryption && !string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            try
            {
                _ = Artifacts.Encryption.ArtifactKeyRing.Load(encryption, Path.GetFullPath(options.DataDirectory));
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"Registry Encryption: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
