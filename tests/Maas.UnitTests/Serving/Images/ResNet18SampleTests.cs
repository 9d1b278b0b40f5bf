using Maas.Formats.Onnx.Proto;
using Maas.Samples;
using Maas.Serving.Processing.Images;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Maas.UnitTests.Serving.Images;

/// <summary>The ResNet18 sample against its own package files: the batch edit and the pre-processing.</summary>
public sealed class ResNet18SampleTests : IDisposable
{
    private const int Side = 224;
    private const int ImageElements = 3 * Side * Side;
    private readonly string _folder = Directory.CreateTempSubdirectory("maas-resnet").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void BatchableModel_Batch4_EachRowEqualsSingleImageOnPackageModel()
    {
        var edited = Path.Combine(_folder, "model.onnx");
        File.WriteAllBytes(edited, ResNet18Sample.BatchableModel());
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(edited));
        Assert.Equal("batch", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("batch", model.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);

        var random = new Random(7);
        var batch = new float[4 * ImageElements];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = (float)(random.NextDouble() * 255) - 120;
        }

        var batched = Run(edited, ResNet18Sample.InputName, batch, [4, 3, Side, Side], ResNet18Sample.OutputName, out var shape);
        Assert.Equal([4L, 512, 1, 1], shape);
        for (var row = 0; row < 4; row++)
        {
            var single = Run(SampleModels.ResNet18Path, ResNet18Sample.InputName, batch.AsSpan(row * ImageElements, ImageElements).ToArray(), [1, 3, Side, Side], ResNet18Sample.OutputName, out _);
            var rowValues = batched.AsSpan(row * 512, 512);
            for (var j = 0; j < 512; j++)
            {
                Assert.True(Math.Abs(rowValues[j] - single[j]) <= 1e-4f * Math.Max(1f, Math.Abs(single[j])), $"row {row} feature {j}: {rowValues[j]} vs {single[j]}");
            }
        }
    }

    [Fact]
    public void MeanImage_VariesWithinChannels_SoTheWholeImageIsShipped()
    {
        var (values, shape) = ResNet18Sample.ReadMeanImage();

        Assert.Equal([1L, 3, Side, Side], shape);
        var channel0 = values.AsSpan(0, Side * Side);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Max(channel0) - System.Numerics.Tensors.TensorPrimitives.Min(channel0) > 10);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 0)]
    [InlineData(SKEncodedImageFormat.Png, 1)]
    [InlineData(SKEncodedImageFormat.Jpeg, 2)]
    public void Preprocessing_EqualsResNetPreprocessGraphThenSameFeatures(SKEncodedImageFormat format, int seed)
    {
        var meanPath = Path.Combine(_folder, ResNet18Sample.MeanImageFile);
        File.WriteAllBytes(meanPath, ResNet18Sample.MeanImageNpy());
        var preprocessor = new ImagePreprocessor(ResNet18Sample.Manifest.PreProcessing, new Dictionary<string, string> { [ResNet18Sample.MeanImageFile] = meanPath }, new ImageOptions());
        var encoded = TestImages.Encode(TestImages.Scene(Side, Side, seed), format);

        var ours = new float[ImageElements];
        preprocessor.Process(encoded, ours, 0);

        // Reference: the same decoded 224×224 pixels as RGB 0–255 planes through the package's own graphs.
        using var decoded = SKBitmap.Decode(encoded);
        var rgb = new float[ImageElements];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var pixel = decoded.GetPixel(x, y);
                rgb[(y * Side) + x] = pixel.Red;
                rgb[(Side * Side) + (y * Side) + x] = pixel.Green;
                rgb[(2 * Side * Side) + (y * Side) + x] = pixel.Blue;
            }
        }

        var expected = Run(SampleModels.ResNet18PreprocessPath, "OriginalInput", rgb, [1, 3, Side, Side], "PreprocessedInput", out _);
        var maxDifference = 0f;
        for (var i = 0; i < ImageElements; i++)
        {
            maxDifference = Math.Max(maxDifference, Math.Abs(expected[i] - ours[i]));
        }

        Assert.True(maxDifference < 1e-3f, $"max difference {maxDifference}");
        var expectedFeatures = Run(SampleModels.ResNet18Path, ResNet18Sample.InputName, expected, [1, 3, Side, Side], ResNet18Sample.OutputName, out _);
        var ourFeatures = Run(SampleModels.ResNet18Path, ResNet18Sample.InputName, ours, [1, 3, Side, Side], ResNet18Sample.OutputName, out _);
        Assert.True(Cosine(expectedFeatures, ourFeatures) >= 0.9999, $"cosine {Cosine(expectedFeatures, ourFeatures)}");
    }

    private static double Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    private static float[] Run(string path, string input, float[] values, long[] shape, string output, out long[] outputShape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        using var value = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [output]);
        outputShape = results[0].GetTensorTypeAndShape().Shape;
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
