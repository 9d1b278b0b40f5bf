using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Maas.Engines.Onnx;

/// <summary>One loaded ONNX model: owns its <see cref="InferenceSession"/>(s); runs are thread-safe.</summary>
/// <remarks>With a narrow session besides the wide one (adaptive threads), a call that starts while no other call of
/// this model runs takes the wide session (every core); calls that overlap others take the narrow one (one thread each),
/// so concurrent calls use the cores through parallel calls instead of fighting over intra-op threads.</remarks>
internal sealed class OnnxTensorModel : ITensorModel
{
    private readonly InferenceSession _session;
    private readonly InferenceSession? _narrow;
    private int _running;
    private readonly Dictionary<string, TensorSpec> _inputsByName;
    private readonly HashSet<string> _outputNames;
    private readonly string _key;

    public OnnxTensorModel(string key, InferenceSession session, InferenceSession? narrow, long memoryBytes)
    {
        MemoryBytes = memoryBytes;
        _key = key;
        _session = session;
        _narrow = narrow;
        Inputs = Describe(session.InputMetadata, "input");
        Outputs = Describe(session.OutputMetadata, "output");
        _inputsByName = Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        _outputNames = Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    public long MemoryBytes { get; }

    public ValueTask<InferenceResult> RunAsync(
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string>? outputs,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Validate(inputs);
        var outputNames = SelectOutputs(outputs);

        using var binding = new OrtInputBinding(inputs.Count);
        foreach (var input in inputs)
        {
            binding.Add(input);
        }

        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        IDisposableReadOnlyCollection<OrtValue> results;
        var alone = Interlocked.Increment(ref _running) == 1;
        try
        {
            var session = alone || _narrow is null ? _session : _narrow;
            results = session.Run(runOptions, binding.Names, binding.Values, outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException ex)
        {
            // Shape errors inside the graph (e.g. a dimension the graph fixes internally) are the caller's input.
            throw MaasException.InvalidArgument($"Model {_key} rejected the input: {ex.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        // Each output tensor takes ownership of its OrtValue (read in place); on a failure part-way the rest are freed.
        var tensors = new List<Tensor>(outputNames.Count);
        try
        {
            for (var i = 0; i < outputNames.Count; i++)
            {
                tensors.Add(OrtOutputReader.Read(outputNames[i], results[i]));
            }
        }
        catch
        {
            tensors.ForEach(t => t.Dispose());
            for (var i = tensors.Count + 1; i < results.Count; i++)
            {
                results[i].Dispose();
            }

            throw;
        }

        return ValueTask.FromResult(new InferenceResult(tensors));
    }

    private void Validate(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != _inputsByName.Count)
        {
            var given = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var missing = _inputsByName.Keys.Where(n => !given.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                throw MaasException.InvalidArgument($"Model {_key} expects input(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the request lacks.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (!_inputsByName.TryGetValue(input.Name, out var spec))
            {
                throw MaasException.InvalidArgument($"Model {_key} has no input '{input.Name}'; its inputs are {string.Join(", ", _inputsByName.Keys)}.");
            }

            if (!seen.Add(input.Name))
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' is given twice.");
            }

            if (spec.DataType != input.DataType)
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' must be {spec.DataType.ToProtocolName()}, not {input.DataType.ToProtocolName()}.");
            }

            if (!spec.Accepts(input.Shape))
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' has shape [{string.Join(", ", input.Shape)}]; the model expects {spec.ShapeText}.");
            }
        }
    }

    private List<string> SelectOutputs(IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return Outputs.Select(o => o.Name).ToList();
        }

        foreach (var name in requested)
        {
            if (!_outputNames.Contains(name))
            {
                throw MaasException.InvalidArgument($"Model {_key} has no output '{name}'; its outputs are {string.Join(", ", _outputNames)}.");
            }
        }

        return requested.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<TensorSpec> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata, string what)
    {
        var specs = new List<TensorSpec>(metadata.Count);
        foreach (var (name, node) in metadata)
        {
            if (!node.IsTensor || !OnnxElementTypes.TryToDataType(node.ElementDataType, out var type))
            {
                throw MaasException.InvalidArgument($"The model's {what} '{name}' is not a tensor of a supported element type.");
            }

            specs.Add(new TensorSpec(name, type, node.Dimensions.Select(d => d < 0 ? -1L : d).ToArray()));
        }

        return specs;
    }

    public ValueTask DisposeAsync()
    {
        _session.Dispose();
        _narrow?.Dispose();
        return ValueTask.CompletedTask;
    }
}
