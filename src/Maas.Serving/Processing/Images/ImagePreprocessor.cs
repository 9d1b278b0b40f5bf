using System.Globalization;
using System.Numerics.Tensors;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Npy;
using SkiaSharp;

namespace Maas.Serving.Processing.Images;

/// <summary>Turns one encoded image into the model's input values, as the manifest's pre-processing steps declare:
/// <c>decode_image</c>, then <c>resize</c> / <c>center_crop</c> in manifest order on the pixels, then the values.</summary>
/// <remarks>
/// <c>channel_order</c> and <c>layout</c> describe the tensor (RGB or BGR; NCHW or NHWC), wherever they appear. The
/// value steps (<c>scale</c>, <c>normalize</c>, <c>subtract_mean</c>) are each an affine map per element, so their
/// composition in manifest order is folded at load into one multiply-add per element (two precomputed images),
/// applied with <c>TensorPrimitives.FusedMultiplyAdd</c>.
/// Per-channel parameters are given in the tensor's channel order. The spatial steps must end at a fixed size
/// (a <c>center_crop</c> or a <c>resize</c> with <c>size</c>), so that images batch together.
/// </remarks>
internal sealed class ImagePreprocessor
{
    public const int Channels = 3;

    private readonly List<SpatialStep> _spatial = [];
    private readonly float[] _multiply;
    private readonly float[] _add;

    public ImagePreprocessor(IReadOnlyList<ProcessingStep> steps, IReadOnlyDictionary<string, string> files, ImageOptions options)
    {
        MaxPixels = options.MaxPixels;
        if (steps.Count == 0 || steps[0].Name != ProcessingSteps.DecodeImage)
        {
            throw MaasException.InvalidArgument($"Image pre-processing must start with '{ProcessingSteps.DecodeImage}'.");
        }

        ImageSize? size = null;
        var valueSteps = new List<ProcessingStep>();
        foreach (var step in steps)
        {
            switch (step.Name)
            {
                case ProcessingSteps.DecodeImage:
                    if (step.Parameters.TryGetValue("max_pixels", out var max))
                    {
                        MaxPixels = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1
                            ? Math.Min(limit, options.MaxPixels)
                            : throw MaasException.InvalidArgument($"decode_image max_pixels must be a positive whole number, not '{max}'.");
                    }

                    break;
                case ProcessingSteps.Resize:
                    var filter = SpatialStep.Filter(step.Get("filter", "linear"));
                    if (step.Parameters.TryGetValue("size", out var resizeTo) == step.Parameters.ContainsKey("shorter_side"))
                    {
                        throw MaasException.InvalidArgument("resize takes one of 'size' or 'shorter_side'.");
                    }

                    if (resizeTo is not null)
                    {
                        size = ImageSize.Parse(step.Name, "size", resizeTo);
                        _spatial.Add(new SpatialStep(step.Name, size, 0, filter));
                    }
                    else
                    {
                        size = null;
                        _spatial.Add(new SpatialStep(step.Name, null, ImageSize.ParseSide(step.Name, "shorter_side", step.Parameters["shorter_side"]), filter));
                    }

                    break;
                case ProcessingSteps.CenterCrop:
                    size = ImageSize.Parse(step.Name, "size", step.Get("size", string.Empty));
                    _spatial.Add(new SpatialStep(step.Name, size, 0, default));
                    break;
                case ProcessingSteps.ChannelOrder:
                    Bgr = step.Get("order", "RGB").ToUpperInvariant() switch
                    {
                        "RGB" => false,
                        "BGR" => true,
                        var other => throw MaasException.InvalidArgument($"channel_order order must be RGB or BGR, not '{other}'."),
                    };
                    break;
                case ProcessingSteps.Layout:
                    Nhwc = step.Get("layout", "NCHW").ToUpperInvariant() switch
                    {
                        "NCHW" => false,
                        "NHWC" => true,
                        var other => throw MaasException.InvalidArgument($"layout must be NCHW or NHWC, not '{other}'."),
                    };
                    break;
                case ProcessingSteps.Scale or ProcessingSteps.Normalize or ProcessingSteps.SubtractMean:
                    valueSteps.Add(step);
                    break;
                default:
                    throw MaasException.InvalidArgument($"Pre-processing step '{step.Name}' is not an image step.");
            }
        }

        var final = size ?? throw MaasException.InvalidArgument(
            "Image pre-processing must end at a fixed size (a center_crop, or a resize with 'size'), so that images batch together.");
        Width = final.Width;
        Height = final.Height;
        ImageShape = Nhwc ? [Height, Width, Channels] : [Channels, Height, Width];
        ImageElements = Channels * Height * Width;
        _multiply = new float[ImageElements];
        _add = new float[ImageElements];
        _multiply.AsSpan().Fill(1f);
        foreach (var step in valueSteps)
        {
            Fold(step, files);
        }
    }

    public long MaxPixels { get; }

    public int Width { get; }

    public int Height { get; }

    public bool Bgr { get; }

    public bool Nhwc { get; }

    /// <summary>The shape of one image's values: [3, H, W] (NCHW) or [H, W, 3] (NHWC).</summary>
    public long[] ImageShape { get; }

    public int ImageElements { get; }

    /// <summary>True when the manifest declares image pre-processing.</summary>
    public static bool Declares(ModelManifest manifest) =>
        manifest.PreProcessing.Any(s => s.Name == ProcessingSteps.DecodeImage);

    /// <summary>Decodes, resizes and crops image <paramref name="index"/> and writes its <see cref="ImageElements"/>
    /// values to <paramref name="destination"/>.</summary>
    public void Process(ReadOnlySpan<byte> encoded, Span<float> destination, int index)
    {
        var bitmap = ImageDecoder.Decode(encoded, MaxPixels, index, _spatial is [{ Kind: ProcessingSteps.Resize } first, ..] ? first.MinimumInput : null);
        try
        {
            foreach (var step in _spatial)
            {
                var next = step.Apply(bitmap, index);
                bitmap.Dispose();
                bitmap = next;
            }

            WritePixels(bitmap, destination[..ImageElements]);
        }
        finally
        {
            bitmap.Dispose();
        }

        TensorPrimitives.FusedMultiplyAdd(destination[..ImageElements], _multiply, _add, destination[..ImageElements]);
    }

    /// <summary>RGBA bytes → the tensor's channel order and layout, values 0–255.</summary>
    public void WritePixels(SKBitmap bitmap, Span<float> destination)
    {
        if (bitmap.Width != Width || bitmap.Height != Height)
        {
            throw new MaasException(MaasErrorKind.Internal, $"The image steps produced {bitmap.Width}×{bitmap.Height} pixels, not {Width}×{Height}.");
        }

        var pixels = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        var plane = Width * Height;
        for (var y = 0; y < Height; y++)
        {
            var row = pixels.Slice(y * rowBytes, Width * 4);
            for (var x = 0; x < Width; x++)
            {
                var r = row[x * 4];
                var g = row[(x * 4) + 1];
                var b = row[(x * 4) + 2];
                var (c0, c2) = Bgr ? (b, r) : (r, b);
                if (Nhwc)
                {
                    var at = ((y * Width) + x) * Channels;
                    destination[at] = c0;
                    destination[at + 1] = g;
                    destination[at + 2] = c2;
                }
                else
                {
                    var at = (y * Width) + x;
                    destination[at] = c0;
                    destination[plane + at] = g;
                    destination[(2 * plane) + at] = c2;
                }
            }
        }
    }

    /// <summary>Composes one value step into y = x · multiply + add.</summary>
    private void Fold(ProcessingStep step, IReadOnlyDictionary<string, string> files)
    {
        switch (step.Name)
        {
            case ProcessingSteps.Scale:
                var factor = step.Get("range", "0-255") switch
                {
                    "0-255" => 1f,
                    "0-1" => 1f / 255f,
                    var other => throw MaasException.InvalidArgument($"scale range must be '0-255' or '0-1', not '{other}'."),
                };
                TensorPrimitives.Multiply(_multiply, factor, _multiply);
                TensorPrimitives.Multiply(_add, factor, _add);
                break;
            case ProcessingSteps.Normalize:
                var mean = PerChannel(step, "mean");
                var std = PerChannel(step, "std");
                if (std.Any(s => !(s > 0)))
                {
                    throw MaasException.InvalidArgument("normalize std values must be positive.");
                }

                TensorPrimitives.Subtract(_add, ChannelImage(mean), _add);
                var inverse = ChannelImage(std.Select(s => 1f / s).ToArray());
                TensorPrimitives.Multiply(_add, inverse, _add);
                TensorPrimitives.Multiply(_multiply, inverse, _multiply);
                break;
            default:
                var meanImage = step.Parameters.ContainsKey("file")
                    ? LoadMeanImage(step.Get("file", string.Empty), files)
                    : ChannelImage(PerChannel(step, "values"));
                TensorPrimitives.Subtract(_add, meanImage, _add);
                break;
        }
    }

    private float[] LoadMeanImage(string name, IReadOnlyDictionary<string, string> files)
    {
        if (!files.TryGetValue(name, out var path))
        {
            throw MaasException.InvalidArgument($"subtract_mean names file '{name}', which is not among the version's files.");
        }

        float[] data;
        long[] shape;
        try
        {
            (data, shape) = NpyFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw MaasException.InvalidArgument($"subtract_mean file '{name}': {e.Message}");
        }

        var expected = string.Join(",", ImageShape);
        var actual = string.Join(",", shape is [1, .. var rest] && shape.Length == 4 ? rest : shape);
        return actual == expected
            ? data
            : throw MaasException.InvalidArgument($"subtract_mean file '{name}' has shape ({string.Join(", ", shape)}); one image of the tensor is ({string.Join(", ", ImageShape)}).");
    }

    private static float[] PerChannel(ProcessingStep step, string key)
    {
        var parts = step.Get(key, string.Empty).Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                values = [];
                break;
            }
        }

        return values.Length == Channels
            ? values
            : throw MaasException.InvalidArgument($"{step.Name} {key} must be {Channels} comma-separated numbers, one per channel in the tensor's order.");
    }

    /// <summary>An image-shaped array holding <paramref name="perChannel"/>[c] at every element of channel c.</summary>
    private float[] ChannelImage(float[] perChannel)
    {
        var image = new float[ImageElements];
        var plane = Width * Height;
        for (var c = 0; c < Channels; c++)
        {
            if (Nhwc)
            {
                for (var i = c; i < image.Length; i += Channels)
                {
                    image[i] = perChannel[c];
                }
            }
            else
            {
                image.AsSpan(c * plane, plane).Fill(perChannel[c]);
            }
        }

        return image;
    }
}
