using System.Text;
using System.Text.Json;
using Maas.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Protocols.Predict;

/// <summary>Reads the images of a predict request: the files of a multipart/form-data body, or base64 strings in JSON.</summary>
/// <remarks>Only the bytes are taken here; decoding, the pixel limit and the count limit belong to the image pipeline,
/// which every protocol goes through.</remarks>
internal static class PredictImages
{
    public static async Task<IReadOnlyList<ReadOnlyMemory<byte>>> ReadMultipartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw MaasException.InvalidArgument($"The multipart/form-data body could not be read: {e.Message}");
        }

        if (form.Files.Count == 0)
        {
            throw MaasException.InvalidArgument("The multipart/form-data body has no file; send the image as a file part, e.g. curl -F file=@cat.jpg.");
        }

        var images = new List<ReadOnlyMemory<byte>>(form.Files.Count);
        foreach (var file in form.Files)
        {
            var bytes = new byte[file.Length];
            await using var stream = file.OpenReadStream();
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            images.Add(bytes);
        }

        return images;
    }

    /// <summary>A base64 string (or <c>data:</c> URL) or a list of them; the pipeline decodes the base64.</summary>
    public static (IReadOnlyList<ReadOnlyMemory<byte>> Images, bool Single) ReadBase64(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return ([Encoding.ASCII.GetBytes(value.GetString()!)], true);
        }

        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            return (value.EnumerateArray().Select(e => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(e.GetString()!)).ToList(), false);
        }

        throw MaasException.InvalidArgument("An image model takes a base64 string (or data: URL), or a list of them, as 'image'; or a multipart/form-data file.");
    }
}
