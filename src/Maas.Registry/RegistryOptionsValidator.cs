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

        if (Metadata.DatabaseTarget.IsPostgres(options.Database))
        {
            try
            {
                Metadata.DatabaseTarget.ToConnectionString(options.Database!);
            }
            catch (ArgumentException e)
            {
                // The message names the bad keyword, never the value (which may be a password).
                failures.Add($"Registry Database is not a valid PostgreSQL connection string or URL: {e.Message}");
            }
        }
        else if (options.Database is { } file && (file.EndsWith(Path.DirectorySeparatorChar) || file.EndsWith(Path.AltDirectorySeparatorChar)))
        {
            failures.Add($"Registry Database '{file}' names a folder, not a file.");
        }

        if (options.BlobLeaseDuration < TimeSpan.FromMinutes(1) || options.BlobLeaseDuration > TimeSpan.FromDays(7))
        {
            failures.Add("Registry BlobLeaseDuration must be between 1 minute and 7 days.");
        }

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
