namespace Maas.Serving.Processing.Images;

/// <summary>Limits on images sent to image models; bound from <c>Maas:Serving:Images</c>.</summary>
public sealed class ImageOptions
{
    /// <summary>Most pixels (width × height) an image's header may declare; larger ones are refused with 400 before
    /// any pixel is decoded. A manifest's <c>decode_image {max_pixels}</c> can only lower it.</summary>
    /// <remarks>40 megapixels: a decoded RGBA image of that size is 160 MB.</remarks>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Most images in one request.</summary>
    public int MaxImagesPerRequest { get; set; } = 64;
}
