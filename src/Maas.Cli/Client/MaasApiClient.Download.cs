using System.Security.Cryptography;

namespace Maas.Cli.Client;

/// <summary>Downloads of stored files (<c>maas models pull</c>).</summary>
internal sealed partial class MaasApiClient
{
    /// <summary>The header that carries a downloaded file's SHA-256 (hex).</summary>
    public const string Sha256Header = "X-Maas-Sha256";

    /// <summary>Streams one file of a version into <paramref name="destination"/>; returns the SHA-256 of the bytes received.</summary>
    /// <remarks>The caller compares the returned digest with the one the registry lists; the server's header is checked here.</remarks>
    public async Task<string> DownloadFileAsync(
        string model, int version, string file, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var message = new HttpRequestMessage(HttpMethod.Get, ModelPath(model, "versions", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "files", file));
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var announced = response.Headers.TryGetValues(Sha256Header, out var values) ? values.FirstOrDefault() : null;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var buffer = new byte[FileBufferSize];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                progress?.Report(read);
            }
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (announced is not null && !string.Equals(announced, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new MaasApiException(response.StatusCode, $"'{file}' arrived with SHA-256 {sha256}, but the server announced {announced}");
        }

        return sha256;
    }
}
