using System.Globalization;
using Maas.Core.Errors;

namespace Maas.Serving.Processing.Images;

/// <summary>A width and height parsed from a step parameter: <c>224</c> (square) or <c>320x240</c> (width x height).</summary>
internal readonly record struct ImageSize(int Width, int Height)
{
    public const int MaxSide = 16384;

    public static ImageSize Parse(string step, string key, string text)
    {
        var parts = text.Split('x', 'X', ',');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && width is >= 1 and <= MaxSide && height is >= 1 and <= MaxSide)
        {
            return new ImageSize(width, height);
        }

        throw MaasException.InvalidArgument($"{step} {key} must be a size in pixels, '224' or '320x240' (1 to {MaxSide}), not '{text}'.");
    }

    public static int ParseSide(string step, string key, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var side) && side is >= 1 and <= MaxSide
            ? side
            : throw MaasException.InvalidArgument($"{step} {key} must be a whole number of pixels (1 to {MaxSide}), not '{text}'.");
}
