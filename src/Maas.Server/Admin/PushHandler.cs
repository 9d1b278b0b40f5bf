using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Core.Serialization;
using Maas.Registry.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Maas.Server.Admin;

/// <summary>Receives a multipart push, spools its files to disk, and hands them to the registry.</summary>
/// <remarks>
/// Multipart sections arrive one after another, while the registry takes all files of a version at once, so each
/// file is spooled to <c>{data}/uploads/{id}/</c> first. The spool folder is removed when the request ends, and
/// whatever a killed process left there is removed at the next start; the registry itself commits a version only
/// after every file is stored.
/// </remarks>
internal sealed class PushHandler(IModelRegistry registry, IOptions<MaasServerOptions> options)
{
    private const int MaxFieldBytes = 1024 * 1024;

    public string SpoolRoot => Path.Combine(options.Value.DataDirectory, "uploads");

    public async Task<IResult> HandleAsync(string model, HttpContext context)
    {
        var ct = context.RequestAborted;
        if (!ModelNames.IsValid(model))
        {
            throw MaasException.InvalidArgument($"Model name '{model}' is not valid: {ModelNames.Rule}");
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw MaasException.InvalidArgument("A push is a multipart/form-data body with one 'file' part per file.");
        }

        var spool = Path.Combine(SpoolRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(spool);
        var files = new List<(string Name, string Path)>();
        string? manifestJson = null, alias = null, description = null, baseModel = null;
        try
        {
            var reader = new MultipartReader(boundary, context.Request.Body);
            while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    throw MaasException.InvalidArgument("A multipart section has no Content-Disposition.");
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                switch (field)
                {
                    case "file" or "files":
                        if (string.IsNullOrEmpty(fileName))
                        {
                            throw MaasException.InvalidArgument("A 'file' part has no file name.");
                        }

                        files.Add((fileName, await SpoolAsync(section.Body, spool, files.Count, ct).ConfigureAwait(false)));
                        break;
                    case "manifest":
                        manifestJson = await ReadFieldAsync(section.Body, ct).ConfigureAwait(false);
                        break;
                    case "alias":
                        alias = await ReadFieldAsync(section.Body, ct).ConfigureAwait(false);
                        break;
                    case "description":
                        description = await ReadFieldAsync(section.Body, ct).ConfigureAwait(false);
                        break;
                    case "base":
                        baseModel = await ReadFieldAsync(section.Body, ct).ConfigureAwait(false);
                        break;
                    default:
                        throw MaasException.InvalidArgument($"Unknown multipart field '{field}'; expected file, manifest, alias, description or base.");
                }
            }

            if (files.Count == 0)
            {
                throw MaasException.InvalidArgument("The push has no files: send at least one 'file' part.");
            }

            var streams = files.Select(f => new PushFile(f.Name, File.OpenRead(f.Path))).ToList();
            try
            {
                var version = await registry.PushAsync(new PushRequest
                {
                    Model = model,
                    Files = streams,
                    Manifest = ParseManifest(manifestJson),
                    Alias = string.IsNullOrWhiteSpace(alias) ? null : alias.Trim(),
                    Description = string.IsNullOrWhiteSpace(description) ? null : description,
                    Base = string.IsNullOrWhiteSpace(baseModel) ? null : baseModel.Trim(),
                    Actor = AdminEndpoints.Actor(context),
                }, ct).ConfigureAwait(false);
                return AdminEndpoints.Json(version, StatusCodes.Status201Created);
            }
            finally
            {
                foreach (var file in streams)
                {
                    await file.Content.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw MaasException.InvalidArgument($"Malformed multipart body: {ex.Message}");
        }
        catch (IOException ex) when (!ct.IsCancellationRequested && ex.Message.StartsWith("Unexpected end of", StringComparison.Ordinal))
        {
            throw MaasException.InvalidArgument("The multipart body ends before its closing boundary.");
        }
        finally
        {
            TryDelete(spool);
        }
    }

    /// <summary>Removes spool folders that a killed process left behind.</summary>
    public void CleanUpSpool()
    {
        if (Directory.Exists(SpoolRoot))
        {
            foreach (var folder in Directory.EnumerateDirectories(SpoolRoot))
            {
                TryDelete(folder);
            }
        }
    }

    private static ModelManifest? ParseManifest(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(json, MaasJson.Options);
        }
        catch (JsonException ex)
        {
            throw MaasException.InvalidArgument($"The manifest is not valid JSON: {ex.Message}");
        }
    }

    private static async Task<string> SpoolAsync(Stream body, string spool, int index, CancellationToken ct)
    {
        var path = Path.Combine(spool, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await body.CopyToAsync(file, 1 << 16, ct).ConfigureAwait(false);
        return path;
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxFieldBytes)
            {
                throw new MaasException(MaasErrorKind.PayloadTooLarge, "A form field of the push is larger than 1 MiB.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the next start removes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
