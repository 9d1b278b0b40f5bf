using System.Text.Json;
using Google.Protobuf;
using Maas.Core.Engines;
using Maas.Core.Models;
using Maas.Core.Tensors;
using Maas.Engines.Onnx;
using Maas.Formats.Onnx.Proto;
using Maas.Optimization;
using Maas.Optimization.Quantization.Static;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Maas.UnitTests.Optimization;

/// <summary>Builds small float ONNX graphs for the static-int8 tests and runs them (and their quantized versions) in
/// ONNX Runtime through the engine contract.</summary>
internal sealed class StaticTestGraph : IDisposable
{
    private readonly ModelProto _model;
    private readonly Random _random;

    public StaticTestGraph(long opset = 13, long irVersion = 8, int seed = 7)
    {
        _random = new Random(seed);
        _model = new ModelProto { IrVersion = irVersion, ProducerName = "maas-tests", Graph = new GraphProto { Name = "g" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        Folder = Path.Combine(Path.GetTempPath(), "maas-static-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public ModelProto Model => _model;

    public StaticTestGraph Input(string name, params long[] dims)
    {
        _model.Graph.Input.Add(ValueInfo(name, dims));
        return this;
    }

    public StaticTestGraph Output(string name, params long[] dims)
    {
        _model.Graph.Output.Add(ValueInfo(name, dims));
        return this;
    }

    /// <summary>A float initializer of normal(0, <paramref name="std"/>) values plus <paramref name="offset"/>.</summary>
    public StaticTestGraph Weight(string name, long[] dims, double std = 0.2, double offset = 0)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((Normal(_random) * std) + offset);
        }

        _model.Graph.Initializer.Add(QdqTensors.Floats(name, dims, values));
        return this;
    }

    public StaticTestGraph Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + _model.Graph.Node.Count };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _model.Graph.Node.Add(node);
        return this;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => QdqNodes.Int(name, value);

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public string Save(string file = "model.onnx") => Save(_model, file);

    public string Save(ModelProto model, string file)
    {
        var path = Path.Combine(Folder, file);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Feeds of normal(0, <paramref name="std"/>) values for the single input.</summary>
    public List<IReadOnlyList<Tensor>> Feeds(int count, long[] shape, double std = 1, int seed = 11)
    {
        var random = new Random(seed);
        var feeds = new List<IReadOnlyList<Tensor>>();
        for (var f = 0; f < count; f++)
        {
            var values = new float[Tensor.CountElements(shape)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(Normal(random) * std);
            }

            feeds.Add([Tensor.Create(_model.Graph.Input[0].Name, shape, values)]);
        }

        return feeds;
    }

    public static async Task<ITensorModel> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var engine = new OnnxEngine(Options.Create(new OnnxEngineOptions()), NullLogger<OnnxEngine>.Instance);
        var manifest = new ModelManifest { ModelFile = "model.onnx" };
        var loaded = await engine.LoadAsync(new ModelLoadContext("test:1", manifest, new Dictionary<string, string> { ["model.onnx"] = path }, new DeploymentSettings { IntraOpThreads = 1 }), cancellationToken);
        return (ITensorModel)loaded;
    }

    /// <summary>Runs the model at <paramref name="path"/> on each feed; returns the first output's values per feed.</summary>
    public static async Task<List<float[]>> RunAsync(string path, IEnumerable<IReadOnlyList<Tensor>> feeds)
    {
        await using var model = await LoadAsync(path);
        var outputs = new List<float[]>();
        foreach (var feed in feeds)
        {
            using var result = await model.RunAsync(feed, null);
            outputs.Add(result.Outputs[0].AsSpan<float>().ToArray());
        }

        return outputs;
    }

    /// <summary>Quantizes the saved model with the pass; returns the result.</summary>
    public async Task<PassResult> QuantizeAsync(string modelPath, object? options, IReadOnlyList<IReadOnlyList<Tensor>>? calibration)
    {
        var output = Path.Combine(Folder, "out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(output);
        var context = new PassContext(modelPath, new ModelManifest { ModelFile = "model.onnx" }, JsonSerializer.SerializeToElement(options ?? new { }), output, (_, _) => { })
        {
            CalibrationInputs = calibration,
            LoadTensorModel = (p, ct) => LoadAsync(p, ct),
        };
        return await new StaticInt8Pass().RunAsync(context, CancellationToken.None);
    }

    /// <summary>Op counts of the graph ONNX Runtime runs after its optimisations (QDQ fusion included).</summary>
    public string OptimizedOps(string path)
    {
        var optimized = Path.Combine(Folder, "optimized-" + Guid.NewGuid().ToString("N") + ".onnx");
        using (var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(path, options))
        {
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized));
        return string.Join(",", model.Graph.Node.Select(n => n.OpType).Order(StringComparer.Ordinal));
    }

    public static ModelProto Read(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>Largest |a − b| over all elements divided by the largest |a|.</summary>
    public static double RelativeError(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        double maxDiff = 0, maxAbs = 0;
        for (var f = 0; f < expected.Count; f++)
        {
            for (var i = 0; i < expected[f].Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[f][i] - actual[f][i]));
                maxAbs = Math.Max(maxAbs, Math.Abs(expected[f][i]));
            }
        }

        return maxDiff / maxAbs;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static ValueInfoProto ValueInfo(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = name + "_d" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
