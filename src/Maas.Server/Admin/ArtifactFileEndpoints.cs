using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;
using Maas.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Maas.Server.Admin;

/// <summary><c>GET /api/models/{name}/versions/{v}/files/{file}</c>: one stored file of a version, as pushed.</summary>
/// <remarks>
/// The file is streamed from the artifact store with its length, its SHA-256 (<c>X-Maas-Sha256</c> in hex, and
/// RFC 9530's <c>Repr-Digest</c>) and an ETag equal to the digest, so a client can verify what it received and a
/// cache never needs to download an immutable blob twice. Ranges are honoured, so an interrupted pull can resume.
/// </remarks>
internal static class ArtifactFileEndpoints
{
    public const string Sha256Header = "X-Maas-Sha256";

    public static RouteGroupBuilder MapArtifactFiles(this RouteGroupBuilder api)
    {
        api.MapGet("/models/{name}/versions/{version:int}/files/{file}", DownloadAsync)
            .RequireModel(ModelAction.Download)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .WithSummary("Download one file of a version (Content-Length, ETag and X-Maas-Sha256 give its digest)");
        return api;
    }

    internal static async Task<IResult> DownloadAsync(string name, int version, string file, IModelRegistry registry, HttpContext context, CancellationToken ct)
    {
        if (!ModelNames.IsValid(name))
        {
            throw MaasException.NotFound($"model '{name}' not found");
        }

        var info = await registry.ResolveAsync(new ModelReference(name, Version: version), ct).ConfigureAwait(false);
        var stored = info.Files.FirstOrDefault(f => string.Equals(f.Name, file, StringComparison.Ordinal))
            ?? throw MaasException.NotFound($"model '{name}' version {version} has no file '{file}'");
        string path;
        try
        {
            path = await registry.GetArtifactPathAsync(stored.Sha256, ct).ConfigureAwait(false);
        }
        catch (Maas.Registry.Artifacts.ArtifactIntegrityException e)
        {
            // Refused by name, like a load: never bytes that do not match their digest, never a server path.
            throw new MaasException(MaasErrorKind.Unavailable, $"{stored.Name} of {name}:{version} {e.Reason}", e);
        }

        var headers = context.Response.Headers;
        headers[Sha256Header] = stored.Sha256;
        headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(stored.Sha256))}:";
        return TypedResults.PhysicalFile(
            path,
            "application/octet-stream",
            fileDownloadName: stored.Name,
            entityTag: new EntityTagHeaderValue($"\"{stored.Sha256}\""),
            enableRangeProcessing: true);
    }
}
