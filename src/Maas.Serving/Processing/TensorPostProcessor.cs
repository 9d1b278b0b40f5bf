using System.Globalization;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Serving.Pipelines;

namespace Maas.Serving.Processing;

/// <summary>The post-processing steps of a tensor model (<c>softmax</c>, <c>top_k</c>, <c>labels</c>), checked once at
/// load and applied to each request's outputs after its engine call.</summary>
/// <remarks>Softmax rewrites the scores in place (the output keeps its name, type and shape); <c>top_k</c> and
/// <c>labels</c> only describe the classifier, which <c>/predict</c> and the v2 classification extension use to shape
/// their answers. Unknown step names fail the load, so a misspelt step is not silently skipped.</remarks>
internal sealed class TensorPostProcessor
{
    public const int DefaultTopK = 5;
    public const string DefaultLabelsFile = "labels.txt";

    private readonly string? _softmaxOutput;
    private readonly int _softmaxAxis;

    private TensorPostProcessor(string? softmaxOutput, int softmaxAxis, ClassifierInfo? classifier)
    {
        _softmaxOutput = softmaxOutput;
        _softmaxAxis = softmaxAxis;
        Classifier = classifier;
    }

    public ClassifierInfo? Classifier { get; }

    /// <summary>Reads the manifest's post-processing steps against the model's outputs and the version's files.</summary>
    /// <exception cref="MaasException">InvalidArgument for an unknown step, a bad parameter, an unknown output or a missing labels file.</exception>
    public static TensorPostProcessor Create(ModelManifest manifest, IReadOnlyList<TensorSpec> outputs, IReadOnlyDictionary<string, string> files)
    {
        string? softmaxOutput = null;
        var axis = -1;
        int? topK = null;
        IReadOnlyList<string>? labels = null;
        string? classified = null;
        foreach (var step in manifest.PostProcessing)
        {
            var output = OutputOf(step, outputs);
            if (classified is not null && output.Name != classified)
            {
                throw MaasException.InvalidArgument($"Post-processing steps name two outputs ('{classified}' and '{output.Name}'); one classifier output per model.");
            }

            classified = output.Name;
            switch (step.Name)
            {
                case ProcessingSteps.Softmax:
                    if (output.DataType != TensorDataType.Fp32)
                    {
                        throw MaasException.InvalidArgument($"softmax needs an FP32 output; '{output.Name}' is {output.DataType.ToProtocolName()}.");
                    }

                    axis = Integer(step, "axis", -1);
                    if (axis < -output.Shape.Count || axis >= output.Shape.Count)
                    {
                        throw MaasException.InvalidArgument($"softmax axis {axis} is outside output '{output.Name}' of rank {output.Shape.Count}.");
                    }

                    softmaxOutput = output.Name;
                    break;
                case ProcessingSteps.TopK:
                    topK = Integer(step, "k", DefaultTopK);
                    if (topK < 1)
                    {
                        throw MaasException.InvalidArgument("top_k k must be at least 1.");
                    }

                    break;
                case ProcessingSteps.Labels:
                    labels = ReadLabels(step.Get("file", DefaultLabelsFile), files);
                    if (output.Shape is [.., var classes] && classes > 0 && labels.Count != classes)
                    {
                        throw MaasException.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                            $"The labels file has {labels.Count} labels but output '{output.Name}' has {classes} classes."));
                    }

                    break;
                default:
                    throw MaasException.InvalidArgument(
                        $"Post-processing step '{step.Name}' is not known for a tensor model; expected {ProcessingSteps.Softmax}, {ProcessingSteps.TopK} or {ProcessingSteps.Labels}.");
            }
        }

        labels ??= manifest.Labels.Count > 0 ? manifest.Labels : null;
        ClassifierInfo? classifier = null;
        if (classified is not null || manifest.Task == ModelTasks.Classification || labels is not null)
        {
            var output = classified ?? (outputs.Count > 0 ? outputs[0].Name : throw MaasException.InvalidArgument("A classifier needs an output."));
            classifier = new ClassifierInfo(output, topK ?? DefaultTopK, labels ?? []);
        }

        return new TensorPostProcessor(softmaxOutput, axis, classifier);
    }

    /// <summary>Applies the steps to one request's outputs, in place.</summary>
    public void Apply(InferenceResult result)
    {
        if (_softmaxOutput is null)
        {
            return;
        }

        foreach (var output in result.Outputs)
        {
            if (output.Name == _softmaxOutput)
            {
                Softmax(output.AsSpan<float>(), output.Shape, _softmaxAxis);
            }
        }
    }

    /// <summary>Softmax along <paramref name="axis"/> (negative counts from the end), numerically stable (max subtracted).</summary>
    internal static void Softmax(Span<float> values, long[] shape, int axis)
    {
        if (axis < 0)
        {
            axis += shape.Length;
        }

        var n = (int)shape[axis];
        var inner = 1;
        for (var i = axis + 1; i < shape.Length; i++)
        {
            inner *= (int)shape[i];
        }

        if (n == 0 || inner == 0)
        {
            return;
        }

        var outer = values.Length / (n * inner);
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < inner; j++)
            {
                var start = (o * n * inner) + j;
                var max = float.NegativeInfinity;
                for (var c = 0; c < n; c++)
                {
                    max = Math.Max(max, values[start + (c * inner)]);
                }

                double sum = 0;
                for (var c = 0; c < n; c++)
                {
                    var e = Math.Exp(values[start + (c * inner)] - max);
                    values[start + (c * inner)] = (float)e;
                    sum += e;
                }

                for (var c = 0; c < n; c++)
                {
                    values[start + (c * inner)] = (float)(values[start + (c * inner)] / sum);
                }
            }
        }
    }

    private static TensorSpec OutputOf(ProcessingStep step, IReadOnlyList<TensorSpec> outputs)
    {
        if (step.Parameters.TryGetValue("output", out var name))
        {
            return outputs.FirstOrDefault(o => o.Name == name)
                ?? throw MaasException.InvalidArgument($"Post-processing step '{step.Name}' names output '{name}'; the model's outputs are {string.Join(", ", outputs.Select(o => o.Name))}.");
        }

        return outputs.Count > 0 ? outputs[0] : throw MaasException.InvalidArgument($"Post-processing step '{step.Name}' needs a model output.");
    }

    private static int Integer(ProcessingStep step, string key, int fallback) =>
        !step.Parameters.TryGetValue(key, out var text) ? fallback
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw MaasException.InvalidArgument($"Post-processing step '{step.Name}': '{key}' must be an integer, not '{text}'.");

    private static List<string> ReadLabels(string file, IReadOnlyDictionary<string, string> files)
    {
        if (!files.TryGetValue(file, out var path))
        {
            throw MaasException.InvalidArgument($"The labels step names file '{file}', which is not among the version's files.");
        }

        var lines = File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines.Count > 0 ? lines : throw MaasException.InvalidArgument($"The labels file '{file}' is empty.");
    }
}
