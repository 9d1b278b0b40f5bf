using Google.Protobuf;
using Maas.Core.Models;
using Maas.Formats.Npy;
using Maas.Formats.Onnx;
using Maas.Formats.Onnx.Proto;

namespace Maas.Samples;

/// <summary>The ResNet18 image-features sample (<c>resnet18-features</c>): the package's ResNet18.onnx with its batch
/// dimension made symbolic, its pre-processing as manifest steps and the mean image as a version file.</summary>
/// <remarks>
/// The package's pre-processing graph (ResNetPreprocess.onnx) reorders RGB to BGR and subtracts a per-pixel mean image
/// from 0–255 values (Caffe style). The mean image is not constant per channel (channel 0 spans about 95–116), so it
/// is shipped as <see cref="MeanImageFile"/> and subtracted whole rather than replaced by three channel means.
/// Images are resized so their shorter side is 224 and centre-cropped to 224×224, as ML.NET's default
/// <c>IsoCrop</c> resizing did for this featurizer.
/// </remarks>
public static class ResNet18Sample
{
    public const string ModelFile = "model.onnx";

    public const string MeanImageFile = "mean_image.npy";

    public const string BatchParameter = "batch";

    public const string InputName = "Input247";

    public const string OutputName = "Pooling395_Output_0";

    public const string Description =
        "ResNet18 image features (512 dimensions, Caffe-style BGR minus the mean image), from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package; "
        + "edited at registration: the batch dimension of Input247, Pooling395_Output_0 and the intermediate value_info was fixed at 1 and is now symbolic ('batch').";

    /// <summary>The manifest pushed with the sample.</summary>
    public static ModelManifest Manifest { get; } = new()
    {
        Task = ModelTasks.ImageEmbeddings,
        ModelFile = ModelFile,
        PreProcessing =
        [
            new ProcessingStep(ProcessingSteps.DecodeImage),
            new ProcessingStep(ProcessingSteps.Resize, new Dictionary<string, string> { ["shorter_side"] = "224", ["filter"] = "linear" }),
            new ProcessingStep(ProcessingSteps.CenterCrop, new Dictionary<string, string> { ["size"] = "224" }),
            new ProcessingStep(ProcessingSteps.ChannelOrder, new Dictionary<string, string> { ["order"] = "BGR" }),
            new ProcessingStep(ProcessingSteps.Layout, new Dictionary<string, string> { ["layout"] = "NCHW" }),
            new ProcessingStep(ProcessingSteps.Scale, new Dictionary<string, string> { ["range"] = "0-255" }),
            new ProcessingStep(ProcessingSteps.SubtractMean, new Dictionary<string, string> { ["file"] = MeanImageFile }),
        ],
        Properties = new Dictionary<string, string>
        {
            ["source"] = "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (ResNet18.onnx, ResNetPreprocess.onnx)",
            ["edit"] = "batch dimension made symbolic ('batch'; was fixed at 1) on inputs, outputs and value_info",
            ["mean_image"] = "MeanImage of ResNetPreprocess.onnx, BGR [3,224,224], as mean_image.npy",
        },
    };

    /// <summary>ResNet18.onnx with its batch dimension made symbolic, serialized.</summary>
    public static byte[] BatchableModel()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(SampleModels.ResNet18Path));
        if (OnnxBatchDimension.MakeSymbolic(model, BatchParameter) == 0)
        {
            throw new InvalidOperationException("ResNet18.onnx has no batch dimension fixed at 1; the package's file is not the expected one.");
        }

        return model.ToByteArray();
    }

    /// <summary>The mean image of ResNetPreprocess.onnx ([1, 3, 224, 224], BGR) as a <c>.npy</c> file of shape [3, 224, 224].</summary>
    public static byte[] MeanImageNpy()
    {
        var (values, shape) = ReadMeanImage();
        using var stream = new MemoryStream();
        NpyFile.Write(stream, values, shape[1..]);
        return stream.ToArray();
    }

    /// <summary>The <c>MeanImage</c> initializer of ResNetPreprocess.onnx and its shape.</summary>
    public static (float[] Values, long[] Shape) ReadMeanImage()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(SampleModels.ResNet18PreprocessPath));
        var mean = model.Graph.Initializer.FirstOrDefault(i => i.Name == "MeanImage")
            ?? throw new InvalidOperationException("ResNetPreprocess.onnx has no MeanImage initializer.");
        var values = mean.FloatData.Count > 0
            ? mean.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray();
        return (values, mean.Dims.ToArray());
    }
}
