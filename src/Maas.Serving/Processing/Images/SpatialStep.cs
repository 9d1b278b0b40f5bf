using Maas.Core.Errors;
using SkiaSharp;

namespace Maas.Serving.Processing.Images;

/// <summary>A resize or a centre crop on decoded pixels: <c>resize</c> to a fixed size or a shorter side, with a filter,
/// or <c>center_crop</c> to a fixed size.</summary>
/// <param name="Kind">The manifest step's name.</param>
/// <param name="Size">Fixed output size, or null for a resize by shorter side.</param>
/// <param name="ShorterSide">For a resize that keeps the aspect ratio: the length of the shorter side.</param>
/// <param name="Sampling">The resize filter.</param>
internal sealed record SpatialStep(string Kind, ImageSize? Size, int ShorterSide, SKSamplingOptions Sampling)
{
    /// <summary>Runs the step; returns a new bitmap (the caller disposes both) or, for a crop, a view of the input.</summary>
    public SKBitmap Apply(SKBitmap input, int index)
    {
        if (Kind == Core.Models.ProcessingSteps.CenterCrop)
        {
            var size = Size!.Value;
            if (input.Width < size.Width || input.Height < size.Height)
            {
                throw MaasException.InvalidArgument($"Image {index} is {input.Width}×{input.Height} pixels at the crop, smaller than the crop of {size.Width}×{size.Height}.");
            }

            // Same rounding as torchvision's CenterCrop: the extra pixel of an odd margin goes to the right/bottom.
            var left = (int)Math.Round((input.Width - size.Width) / 2.0, MidpointRounding.ToEven);
            var top = (int)Math.Round((input.Height - size.Height) / 2.0, MidpointRounding.ToEven);
            var cropped = new SKBitmap();
            if (!input.ExtractSubset(cropped, SKRectI.Create(left, top, size.Width, size.Height)))
            {
                cropped.Dispose();
                throw new MaasException(MaasErrorKind.Internal, $"Image {index}: the crop could not be taken.");
            }

            return cropped;
        }

        var (width, height) = Size is { } fixedSize ? (fixedSize.Width, fixedSize.Height) : ScaleShorterSide(input.Width, input.Height, ShorterSide);
        return input.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), Sampling)
            ?? throw new MaasException(MaasErrorKind.Internal, $"Image {index}: resizing {input.Width}×{input.Height} to {width}×{height} failed.");
    }

    /// <summary>For a resize: the size it produces from an input of the given size, i.e. the least a decoder that can
    /// scale (JPEG) must give it.</summary>
    public (int Width, int Height) MinimumInput(int width, int height) =>
        Size is { } fixedSize ? (fixedSize.Width, fixedSize.Height) : ScaleShorterSide(width, height, ShorterSide);

    /// <summary>Like torchvision's Resize(int): the shorter side becomes <paramref name="side"/>, the longer one keeps
    /// the aspect ratio (truncated, as torchvision does).</summary>
    public static (int Width, int Height) ScaleShorterSide(int width, int height, int side) =>
        width <= height
            ? (side, Math.Max(1, (int)((long)side * height / width)))
            : (Math.Max(1, (int)((long)side * width / height)), side);

    public static SKSamplingOptions Filter(string name) => name switch
    {
        "nearest" => new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None),
        "linear" => new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear),
        "cubic" => new SKSamplingOptions(SKCubicResampler.Mitchell),
        "catmull-rom" => new SKSamplingOptions(SKCubicResampler.CatmullRom),
        _ => throw MaasException.InvalidArgument($"resize filter must be nearest, linear, cubic or catmull-rom, not '{name}'."),
    };
}
