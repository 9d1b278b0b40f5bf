namespace Maas.Optimization.Quantization.Static;

/// <summary>Deterministic, varied, smooth synthetic images (gradients, blobs, stripes, value noise at several scales)
/// for calibrating and evaluating image models when no real images are at hand; white noise looks nothing like a
/// photograph and calibrates activation ranges badly.</summary>
internal static class SyntheticImages
{
    /// <summary>Per-channel means (B, G, R) of ResNet18's Caffe-style mean image (ResNetPreprocess.onnx).</summary>
    public static readonly float[] CaffeBgrMeans = [103.1f, 115.9f, 123.2f];

    /// <summary>One image, NCHW [1, 3, height, width], pixel values 0–255 minus <paramref name="channelMeans"/>.</summary>
    public static float[] Create(int seed, int height, int width, IReadOnlyList<float> channelMeans)
    {
        var random = new Random(seed);
        var plane = height * width;
        var image = new float[3 * plane];

        // Background: a linear gradient between two random colours in a random direction.
        var c0 = RandomColor(random);
        var c1 = RandomColor(random);
        var angle = random.NextDouble() * Math.PI * 2;
        var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = Math.Clamp(0.5 + ((((x / (double)width) - 0.5) * dx) + (((y / (double)height) - 0.5) * dy)), 0, 1);
                for (var c = 0; c < 3; c++)
                {
                    image[(c * plane) + (y * width) + x] = (float)((c0[c] * (1 - t)) + (c1[c] * t));
                }
            }
        }

        // Soft blobs (objects), stripes (texture), coarse-to-fine value noise (shading and grain).
        var blobs = random.Next(2, 7);
        for (var b = 0; b < blobs; b++)
        {
            var color = RandomColor(random);
            var (cx, cy) = (random.NextDouble() * width, random.NextDouble() * height);
            var radius = (0.05 + (random.NextDouble() * 0.3)) * width;
            var hard = random.NextDouble() < 0.5;
            Blend(image, height, width, (x, y) =>
            {
                var d = Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / radius;
                return hard ? (d < 1 ? 0.9 : 0) : Math.Exp(-d * d);
            }, color);
        }

        if (random.NextDouble() < 0.6)
        {
            var color = RandomColor(random);
            var frequency = 2 + (random.NextDouble() * 20);
            var theta = random.NextDouble() * Math.PI;
            var (sx, sy) = (Math.Cos(theta), Math.Sin(theta));
            var strength = 0.2 + (random.NextDouble() * 0.6);
            Blend(image, height, width, (x, y) => strength * (0.5 + (0.5 * Math.Sin(frequency * 2 * Math.PI * ((x * sx) + (y * sy)) / width))), color);
        }

        foreach (var cells in new[] { 4, 16, 56 })
        {
            var amplitude = random.NextDouble() * (cells == 56 ? 12 : 40);
            var grid = new double[(cells + 1) * (cells + 1) * 3];
            for (var i = 0; i < grid.Length; i++)
            {
                grid[i] = (random.NextDouble() * 2) - 1;
            }

            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var gx = x * cells / (double)width;
                    var gy = y * cells / (double)height;
                    var (ix, iy) = ((int)gx, (int)gy);
                    var (fx, fy) = (gx - ix, gy - iy);
                    for (var c = 0; c < 3; c++)
                    {
                        double At(int xx, int yy) => grid[((yy * (cells + 1)) + xx) * 3 + c];
                        var v = (At(ix, iy) * (1 - fx) * (1 - fy)) + (At(ix + 1, iy) * fx * (1 - fy))
                            + (At(ix, iy + 1) * (1 - fx) * fy) + (At(ix + 1, iy + 1) * fx * fy);
                        image[(c * plane) + (y * width) + x] += (float)(v * amplitude);
                    }
                }
            }
        }

        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                var index = (c * plane) + i;
                image[index] = Math.Clamp(image[index], 0f, 255f) - channelMeans[c];
            }
        }

        return image;
    }

    private static double[] RandomColor(Random random) => [random.NextDouble() * 255, random.NextDouble() * 255, random.NextDouble() * 255];

    private static void Blend(float[] image, int height, int width, Func<int, int, double> alpha, double[] color)
    {
        var plane = height * width;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var a = alpha(x, y);
                for (var c = 0; c < 3; c++)
                {
                    var index = (c * plane) + (y * width) + x;
                    image[index] = (float)((image[index] * (1 - a)) + (color[c] * a));
                }
            }
        }
    }
}
