using Maas.Registry.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security;

/// <summary>At start-up with credentials required and no active admin key: creates one, writes it to
/// <c>&lt;data&gt;/admin.key</c> readable by its owner only (0600), and logs the file's path (never the key).</summary>
internal sealed class AdminKeyBootstrap(
    AuthState state,
    KeyService keys,
    IApiKeyStore store,
    IOptions<MaasServerOptions> server,
    IOptions<AuthOptions> auth,
    TimeProvider time,
    ILogger<AdminKeyBootstrap> logger) : IHostedService
{
    public const string FileName = "admin.key";
    public const string KeyName = "admin";

    public string KeyFile => Path.Combine(server.Value.DataDirectory, FileName);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (state.Disabled)
        {
            SecurityLog.AuthDisabled(logger);
            return;
        }

        if (auth.Value.Jwt is { Enabled: true } jwt)
        {
            SecurityLog.JwtEnabled(logger, jwt.Issuer ?? jwt.Authority ?? "-", jwt.Audience ?? "-");
        }

        if (!state.CredentialsRequired)
        {
            SecurityLog.LoopbackAnonymous(logger);
            return;
        }

        if (await store.HasActiveKeyAsync(MaasRoles.Admin, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            if (File.Exists(KeyFile))
            {
                SecurityLog.AdminKeyExists(logger, KeyFile);
            }
            else
            {
                SecurityLog.AdminKeyPresent(logger, KeyFile);
            }

            return;
        }

        var created = await keys.CreateAsync(new CreateKeyRequest(KeyName, MaasRoles.Admin, null, null, null, null), "system", cancellationToken)
            .ConfigureAwait(false);
        await WriteKeyFileAsync(KeyFile, created.Key!, cancellationToken).ConfigureAwait(false);
        SecurityLog.AdminKeyCreated(logger, KeyFile);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes the key to a new file created with mode 0600 (no moment where others could read it), replacing
    /// an old file whose key is no longer active.</summary>
    internal static async Task WriteKeyFileAsync(string path, string key, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temp, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(key + "\n"), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
